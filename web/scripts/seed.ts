/**
 * Demo data for screenshots: a pool in every interesting state, competitions, alerts and a
 * cold start in progress. Written with firebase-admin, as the control plane would.
 */
import { DEFAULT_POOL_CONFIG } from '@vmpool/core';
// The admin SDK plays the control plane in this script; the app never uses it.
// eslint-disable-next-line no-restricted-imports
import type { Database } from 'firebase-admin/database';

const MINUTE = 60_000;

function services(now: number, down: readonly string[] = []) {
  const entry = (name: string, port?: number) => ({
    state: down.includes(name) ? 'down' : 'up',
    checkedAt: now - 4000,
    ...(port === undefined ? {} : { port }),
    ...(down.includes(name) ? { detail: 'connection refused' } : {}),
  });
  return {
    showServer: entry('showServer', 3003),
    obsWebsocket: entry('obsWebsocket', 4455),
    obs: entry('obs'),
    nimble: entry('nimble', 8080),
    noMachine: entry('noMachine', 4000),
    xvfb: entry('xvfb'),
  };
}

function agent(
  now: number,
  ip: string,
  cpu: number,
  mem: number,
  disk: number,
  down: readonly string[] = [],
) {
  return {
    online: true,
    lastSeen: now - 3000,
    bootId: `boot-${ip}`,
    version: '0.1.0',
    startedAt: now - 90 * MINUTE,
    instanceId: 'i-0abc',
    region: 'us-east-1',
    availabilityZone: 'us-east-1a',
    instanceType: 't3.large',
    publicIp: ip,
    privateIp: '10.0.1.10',
    services: services(now, down),
    show: {
      reachable: true,
      obsConnected: !down.includes('obsWebsocket'),
      obsIsStreaming: false,
      obsIsRecording: false,
      obsCurrentScene: 'Starting Soon',
      connectedClients: 2,
      latencyMs: 4,
      checkedAt: now - 3000,
    },
    metrics: {
      cpuPercent: cpu,
      load1: cpu / 50,
      memUsedPercent: mem,
      memUsedMb: (mem / 100) * 8000,
      memTotalMb: 8000,
      diskUsedPercent: disk,
      netRxBps: 120_000,
      netTxBps: 2_400_000,
      uptimeSeconds: 5400,
      sampledAt: now - 3000,
    },
  };
}

function vm(
  vmId: string,
  n: number,
  status: string,
  now: number,
  extra: Record<string, unknown> = {},
) {
  return {
    vmId,
    instanceId: `i-0${String(n).repeat(16)}`,
    region: 'us-east-1',
    status,
    statusChangedAt: now - 12 * MINUTE,
    statusReason: '',
    ec2State: 'running',
    healthStatus: 'healthy',
    lastHealthCheck: now - 20_000,
    createdAt: now - 30 * 24 * 60 * MINUTE,
    totalAssignments: n * 3,
    tags: { region: 'us-east-1' },
    ...extra,
  };
}

export interface SeedOptions {
  now: number;
  /** host:port of a running show server, used as vm-002's vmAddress. */
  liveShowAddress: string;
  producerUid: string;
}

export async function seedDemo(db: Database, { now, liveShowAddress, producerUid }: SeedOptions) {
  const liveIp = liveShowAddress.split(':')[0] ?? '127.0.0.1';
  await db.ref().set({
    vmPool: {
      config: {
        ...DEFAULT_POOL_CONFIG,
        updatedAt: now - 3 * 60 * MINUTE,
        updatedBy: 'admin@vmpool.local',
      },
      vms: {
        'vm-001': vm('vm-001', 1, 'available', now, {
          publicIp: '203.0.113.11',
          statusReason: 'warm and healthy',
          agent: agent(now, '203.0.113.11', 7, 38, 41),
        }),
        'vm-002': vm('vm-002', 2, 'in_use', now, {
          publicIp: liveIp,
          assignedTo: 'comp-spring',
          assignedAt: now - 50 * MINUTE,
          assignedBy: 'producer-uid',
          statusReason: 'show is live',
          agent: agent(now, liveIp, 64, 71, 58),
        }),
        'vm-003': vm('vm-003', 3, 'starting', now, {
          ec2State: 'pending',
          assignedTo: 'comp-autumn',
          assignedAt: now - 1 * MINUTE,
          requestId: 'req-cold-start',
          deadline: now + 9 * MINUTE,
          statusReason: 'cold start for comp-autumn',
          healthStatus: 'unknown',
        }),
        'vm-004': vm('vm-004', 4, 'stopped', now, {
          ec2State: 'stopped',
          statusReason: 'idle auto-stop after 2 h',
          healthStatus: 'unknown',
          lastStoppedAt: now - 5 * 60 * MINUTE,
        }),
        'vm-005': vm('vm-005', 5, 'error', now, {
          publicIp: '203.0.113.15',
          statusReason: 'agent silent for 180 s',
          healthStatus: 'unhealthy',
          agent: {
            ...agent(now, '203.0.113.15', 0, 0, 0, ['obsWebsocket']),
            online: false,
            lastSeen: now - 3 * MINUTE,
          },
        }),
      },
      requests: {
        'req-cold-start': {
          action: 'assign',
          competitionId: 'comp-autumn',
          requestedBy: producerUid,
          requestedAt: now - 1 * MINUTE,
          result: {
            state: 'running',
            step: 'Waiting for the agent',
            progress: 0.45,
            message: 'vm-003 is booting; its agent has not reported yet',
            steps: [
              { name: 'Pick a VM', state: 'done', at: now - 60_000 },
              { name: 'Start EC2 instance', state: 'done', at: now - 55_000 },
              { name: 'Wait for the agent', state: 'running', at: now - 30_000 },
              { name: 'Check services', state: 'pending' },
              { name: 'Publish vmAddress', state: 'pending' },
            ],
            estimatedReadyAt: now + 2 * MINUTE,
            vmId: 'vm-003',
            updatedAt: now - 5000,
          },
        },
      },
    },
    competitions: {
      'comp-spring': {
        config: {
          eventName: 'Spring Invitational — Women',
          gender: 'womens',
          meetDate: '2026-11-27',
          venue: 'Ames Arena',
          vmId: 'vm-002',
          vmAddress: liveShowAddress,
        },
      },
      'comp-autumn': {
        config: {
          eventName: 'Autumn Classic — Men',
          gender: 'mens',
          meetDate: '2026-11-28',
          venue: 'Iowa City',
        },
      },
      'comp-regional': {
        config: {
          eventName: 'Regional Qualifier',
          gender: 'womens',
          meetDate: '2026-12-05',
          venue: 'Lincoln',
        },
      },
    },
    producerAccess: { [producerUid]: { 'comp-spring': true, 'comp-autumn': true } },
    alerts: {
      'comp-spring': {
        'alert-obs': {
          level: 'critical',
          category: 'obs',
          title: 'OBS disconnected',
          message: 'OBS on vm-002 stopped answering on port 4455',
          timestamp: now - 2 * MINUTE,
          createdAt: now - 2 * MINUTE,
          vmId: 'vm-002',
          competitionId: 'comp-spring',
          sourceId: 'obs-disconnected-vm-002',
          acknowledged: false,
          resolved: false,
          autoResolve: true,
        },
        'alert-nomachine': {
          level: 'warning',
          category: 'service',
          title: 'NoMachine unavailable',
          message: 'NoMachine on vm-002 refuses connections on port 4000',
          timestamp: now - 6 * MINUTE,
          createdAt: now - 6 * MINUTE,
          vmId: 'vm-002',
          competitionId: 'comp-spring',
          sourceId: 'nomachine-down-vm-002',
          acknowledged: false,
          resolved: false,
          autoResolve: true,
        },
      },
      pool: {
        'alert-pool-low': {
          level: 'warning',
          category: 'vm',
          title: 'Pool is low',
          message: '1 VM available, 2 should be warm',
          timestamp: now - 4 * MINUTE,
          createdAt: now - 4 * MINUTE,
          sourceId: 'pool-low',
          acknowledged: false,
          resolved: false,
          autoResolve: true,
        },
        'alert-vm-005': {
          level: 'critical',
          category: 'vm',
          title: 'VM unreachable',
          message: 'vm-005 has not reported for 3 minutes',
          timestamp: now - 3 * MINUTE,
          createdAt: now - 3 * MINUTE,
          vmId: 'vm-005',
          sourceId: 'vm-unreachable-vm-005',
          acknowledged: false,
          resolved: false,
          autoResolve: true,
        },
      },
    },
  });
}
