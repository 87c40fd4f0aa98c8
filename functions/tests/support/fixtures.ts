import type { Database } from 'firebase-admin/database';
import {
  paths,
  type AgentReport,
  type AlertDraft,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import type { MemoryCompute } from '../../src/adapters/memory';
import { toRtdbValue } from '../../src/store/rtdb-values';
import type { UseCaseDeps } from '../../src/usecases/deps';
import { handleRequest } from '../../src/usecases/requests/handle-request';
import { newVmRecord } from '../../src/usecases/shared/vm-changes';

export const REGION = 'us-east-1';
export const POOL_TAGS = { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' };

export const ADMIN_UID = 'admin-uid';
export interface TestAccess {
  isAdmin(uid: string): Promise<boolean>;
  revokeAgentSessions(instanceId: string): Promise<void>;
  /** The instances whose agent sessions were revoked, in order. */
  revoked: string[];
}

/**
 * The narrow access port tests use: uids starting with `admin` carry the admin claim;
 * revoked agent sessions are recorded.
 */
export function createTestAccess(): TestAccess {
  const revoked: string[] = [];
  return {
    revoked,
    isAdmin: async (uid: string) => uid.startsWith('admin'),
    revokeAgentSessions: async (instanceId: string) => {
      revoked.push(instanceId);
    },
  };
}

export const testAccess = createTestAccess();

export async function writeConfig(db: Database, config: Partial<PoolConfig>): Promise<void> {
  await db.ref(paths.poolConfig()).set(toRtdbValue(config));
}

export async function addCompetition(db: Database, competitionId: string, producer?: string) {
  await db.ref(paths.competitionConfig(competitionId)).set({ eventName: `Meet ${competitionId}` });
  if (producer) await db.ref(paths.producerAccessFor(producer, competitionId)).set(true);
}

export function agentReport(now: number, overrides: Partial<AgentReport> = {}): AgentReport {
  return {
    online: true,
    lastSeen: now,
    bootId: `boot-${now}`,
    version: 'test',
    startedAt: now,
    instanceId: '',
    region: REGION,
    availabilityZone: `${REGION}a`,
    instanceType: 't3.large',
    publicIp: null,
    privateIp: null,
    services: { showServer: { state: 'up', checkedAt: now, port: 3003 } },
    show: {
      reachable: true,
      obsConnected: true,
      obsIsStreaming: false,
      obsIsRecording: false,
      obsCurrentScene: null,
      connectedClients: 0,
      latencyMs: 3,
      checkedAt: now,
    },
    metrics: null,
    stream: null,
    obs: null,
    ...overrides,
  };
}

/** A VM as if it had been launched earlier: an instance in the cloud and its record. */
export async function seedVm(
  db: Database,
  compute: MemoryCompute,
  vmId: string,
  status: 'available' | 'stopped',
  now: number,
  extra: Partial<VmRecord> = {},
): Promise<VmRecord> {
  const instance = compute.seed({
    region: REGION,
    state: status === 'available' ? 'running' : 'stopped',
    tags: { ...POOL_TAGS, VmId: vmId },
  });
  const record: VmRecord = {
    ...newVmRecord({
      vmId,
      instanceId: instance.instanceId,
      region: REGION,
      status,
      now,
      reason: 'seeded by the test',
      ec2State: instance.state,
      publicIp: instance.publicIp,
      privateIp: instance.privateIp,
    }),
    healthStatus: status === 'available' ? 'healthy' : 'unknown',
    ...extra,
  };
  const { agent: _agent, ...stored } = record;
  await db.ref(paths.vm(vmId)).set(toRtdbValue(stored));
  if (status === 'available') {
    await db
      .ref(paths.vmAgent(vmId))
      .set(toRtdbValue(agentReport(now, { publicIp: instance.publicIp })));
  }
  return record;
}

export async function readVm(db: Database, vmId: string): Promise<Record<string, unknown> | null> {
  return (await db.ref(paths.vm(vmId)).get()).val() as Record<string, unknown> | null;
}

export async function readResult(db: Database, requestId: string) {
  return (await db.ref(paths.requestResult(requestId)).get()).val() as {
    state: string;
    step: string;
    progress: number;
    message: string;
    error?: { code: string; message: string };
    vmId?: string;
    vmAddress?: string;
    estimatedReadyAt?: number;
    steps?: { name: string; state: string }[];
  } | null;
}

export function request(
  action: string,
  fields: Record<string, unknown>,
  requestedBy = ADMIN_UID,
  requestedAt = Date.now(),
): Record<string, unknown> {
  return { action, requestedBy, requestedAt, ...fields };
}

export async function writeRequest(
  db: Database,
  requestId: string,
  value: Record<string, unknown>,
): Promise<void> {
  await db.ref(paths.request(requestId)).set(value);
}

/** Writes the request as a client would and runs its handler as the trigger would. */
export async function submit(
  deps: UseCaseDeps,
  db: Database,
  requestId: string,
  value: Record<string, unknown>,
): Promise<void> {
  await writeRequest(db, requestId, value);
  await handleRequest(deps, requestId, value);
}

/** An alert about vm-001 (silent agent) in meet-1, as the control plane raises it. */
export function alertDraft(
  sourceId: string,
  at: number,
  level: AlertDraft['level'] = 'critical',
): AlertDraft {
  return {
    scope: 'meet-1',
    sourceId,
    level,
    category: 'vm',
    title: 'vm-001 unreachable',
    message: 'The agent on vm-001 is not reporting.',
    timestamp: at,
    createdAt: at,
    vmId: 'vm-001',
    competitionId: 'meet-1',
    autoResolve: true,
  };
}
