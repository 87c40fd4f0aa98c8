import type { AgentReport } from '../src/contract/agent-report';
import { DEFAULT_POOL_CONFIG, type PoolConfig } from '../src/contract/pool-config';
import type { VmRecord } from '../src/contract/vm-record';

export const NOW = 1_800_000_000_000;

export function vm(overrides: Partial<VmRecord> & { vmId: string }): VmRecord {
  return {
    instanceId: `i-${overrides.vmId.replace(/[^0-9a-f]/g, '').padEnd(8, '0')}`,
    region: 'us-east-1',
    status: 'available',
    statusChangedAt: NOW - 60_000,
    statusReason: '',
    errorCause: null,
    deadline: null,
    deadlineRetries: 0,
    ec2State: 'running',
    publicIp: '3.3.3.3',
    privateIp: '10.0.0.3',
    publicDns: null,
    assignedTo: null,
    assignedAt: null,
    assignedBy: null,
    requestId: null,
    healthStatus: 'healthy',
    lastHealthCheck: null,
    createdAt: NOW - 86_400_000,
    lastStartedAt: null,
    lastStoppedAt: null,
    lastReleasedAt: null,
    totalAssignments: 0,
    tags: {},
    recovery: { attempts: [], gaveUpAt: null, release: null, running: null, nextAttemptAt: null },
    unhealthySince: null,
    agent: null,
    ...overrides,
  };
}

export function agent(overrides: Partial<AgentReport> = {}): AgentReport {
  return {
    online: true,
    lastSeen: NOW - 5_000,
    bootId: 'boot-1',
    version: '1.0.0',
    startedAt: NOW - 600_000,
    instanceId: 'i-00000001',
    region: 'us-east-1',
    availabilityZone: 'us-east-1a',
    instanceType: 't3.large',
    publicIp: '3.3.3.3',
    privateIp: '10.0.0.3',
    services: {
      showServer: { state: 'up', checkedAt: NOW - 5_000, port: 3003 },
      obsWebsocket: { state: 'up', checkedAt: NOW - 5_000, port: 4455 },
      noMachine: { state: 'up', checkedAt: NOW - 5_000, port: 4000 },
    },
    show: {
      reachable: true,
      obsConnected: true,
      obsIsStreaming: false,
      obsIsRecording: false,
      obsCurrentScene: 'Intro',
      connectedClients: 1,
      latencyMs: 3,
      checkedAt: NOW - 5_000,
    },
    metrics: null,
    stream: null,
    obs: null,
    ...overrides,
  };
}

export function config(overrides: Partial<PoolConfig> = {}): PoolConfig {
  // Launch settings complete, so that policies may launch unless a test takes one away.
  return {
    ...DEFAULT_POOL_CONFIG,
    amiId: 'ami-0c398cb65a93047f2',
    subnetId: 'subnet-0123456789abcdef0',
    securityGroupId: 'sg-0123456789abcdef0',
    ...overrides,
  };
}
