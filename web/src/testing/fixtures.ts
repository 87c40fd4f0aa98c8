/** Plain records for component tests; every one passes core's validators. */
import { parseAlert, parseVmRecord, type Alert, type VmRecord } from '@vmpool/core';
import type { ScopedAlert } from '../features/alerts';

export const NOW = 1_800_000_000_000;

export function makeVm(
  overrides: Partial<Omit<VmRecord, 'agent'>> &
    Pick<VmRecord, 'vmId' | 'status'> & { agent?: Record<string, unknown> | null },
): VmRecord {
  const parsed = parseVmRecord({
    instanceId: `i-0${overrides.vmId.replace(/\D/g, '').padStart(16, '0')}`,
    region: 'us-east-1',
    statusChangedAt: NOW - 60_000,
    statusReason: '',
    ec2State: 'running',
    createdAt: NOW - 86_400_000,
    totalAssignments: 0,
    ...overrides,
  });
  if (!parsed.ok) throw new Error(`bad VM fixture: ${parsed.errors.join('; ')}`);
  return parsed.value;
}

export function makeAgent(overrides: Record<string, unknown> = {}) {
  return {
    online: true,
    lastSeen: NOW - 5_000,
    bootId: 'boot-1',
    version: '0.1.0',
    startedAt: NOW - 3_600_000,
    instanceId: 'i-00000000000000001',
    region: 'us-east-1',
    availabilityZone: 'us-east-1a',
    instanceType: 't3.large',
    publicIp: '203.0.113.10',
    privateIp: '10.0.0.10',
    services: {
      showServer: { state: 'up', checkedAt: NOW - 5_000, port: 3003 },
      obsWebsocket: { state: 'up', checkedAt: NOW - 5_000, port: 4455 },
      noMachine: {
        state: 'down',
        checkedAt: NOW - 5_000,
        port: 4000,
        detail: 'connection refused',
      },
      nimble: { state: 'up', checkedAt: NOW - 5_000, port: 8080 },
    },
    show: null,
    metrics: {
      cpuPercent: 42,
      load1: 0.8,
      memUsedPercent: 61,
      memUsedMb: 4900,
      memTotalMb: 8000,
      diskUsedPercent: 93,
      netRxBps: 1000,
      netTxBps: 2000,
      uptimeSeconds: 3600,
      sampledAt: NOW - 5_000,
    },
    stream: null,
    obs: null,
    ...overrides,
  };
}

export function makeAlert(
  scope: string,
  overrides: Partial<Alert> & Pick<Alert, 'id' | 'level' | 'title'>,
): ScopedAlert {
  const parsed = parseAlert({
    category: 'vm',
    message: `${overrides.title} details`,
    timestamp: NOW - 60_000,
    createdAt: NOW - 60_000,
    sourceId: `source-${overrides.id}`,
    ...overrides,
  });
  if (!parsed.ok) throw new Error(`bad alert fixture: ${parsed.errors.join('; ')}`);
  return { ...parsed.value, scope };
}
