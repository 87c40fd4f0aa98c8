// The agent's names for the shapes of `vmPool/vms/{vmId}/agent`. Every shape comes from
// @vmpool/core, the contract's single definition; these aliases only say what the agent reports.
import type {
  AgentReport,
  ObsStatus,
  ServiceName,
  ServiceStatus,
  ShowStatus,
  StreamStatus,
  VmMetrics,
} from '@vmpool/core';

export { SERVICE_NAMES } from '@vmpool/core';
export type { ServiceName, ServiceState, ServiceStatus } from '@vmpool/core';

/** The agent probes every service, so its report is complete (core allows a partial map). */
export type ServicesReport = Record<ServiceName, ServiceStatus>;
export type ShowReport = ShowStatus;
export type MetricsReport = VmMetrics;
export type StreamReport = StreamStatus;
export type ObsReport = ObsStatus;
export type AgentIdentityReport = Pick<
  AgentReport,
  'instanceId' | 'region' | 'availabilityZone' | 'instanceType' | 'publicIp' | 'privateIp'
>;
