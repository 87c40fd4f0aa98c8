// The agent-reported shapes of docs/contract.md (`vmPool/vms/{vmId}/agent`).

export const SERVICE_NAMES = [
  'showServer',
  'obsWebsocket',
  'obs',
  'nimble',
  'noMachine',
  'discord',
  'xvfb',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export type ServiceState = 'up' | 'down' | 'unknown';

export interface ServiceStatus {
  state: ServiceState;
  checkedAt: number;
  port?: number;
  latencyMs?: number;
  detail?: string;
}

export type ServicesReport = Record<ServiceName, ServiceStatus>;

export interface ShowReport {
  reachable: boolean;
  obsConnected: boolean;
  obsIsStreaming: boolean;
  obsIsRecording: boolean;
  obsCurrentScene: string | null;
  connectedClients: number;
  latencyMs: number | null;
  checkedAt: number;
}

export interface MetricsReport {
  cpuPercent: number;
  load1: number;
  memUsedPercent: number;
  memUsedMb: number;
  memTotalMb: number;
  diskUsedPercent: number;
  netRxBps: number;
  netTxBps: number;
  uptimeSeconds: number;
  sampledAt: number;
}

export interface AgentIdentityReport {
  instanceId: string;
  region: string;
  availabilityZone: string;
  instanceType: string;
  publicIp: string | null;
  privateIp: string | null;
}
