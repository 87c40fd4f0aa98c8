// Arrange helpers for the control-plane suites: a pool as the tests need it, in one call.
import { expect } from 'vitest';
import type { Database } from 'firebase-admin/database';
import { paths, type AgentReport, type PoolConfig, type VmRecord } from '@vmpool/core';
import { manualClock, type ComputePort } from '@vmpool/core/ports';
import { MemoryCompute } from '../../src/adapters/memory';
import type { UseCaseDeps } from '../../src/usecases/deps';
import { onAgentReport } from '../../src/usecases/events/agent-report';
import { testDeps, T0 } from './deps';
import { addCompetition, readResult, request, seedVm, submit, writeConfig } from './fixtures';

/**
 * Nothing happens by itself: no warm minimum, no idle stop, agents never count as stale, no
 * failover switches.
 */
export const QUIET_POOL: Partial<PoolConfig> = {
  minWarmVMs: 0,
  autoStopAfterHours: 0,
  agentStaleSeconds: 900,
  // A failed show VM is only alerted about (failover's own suite turns it on).
  failoverMode: 'off',
};

/** The launch settings a launch needs (AMI, subnet, security group). */
export const LAUNCHABLE: Partial<PoolConfig> = {
  amiId: 'ami-0123456789abcdef0',
  subnetId: 'subnet-0123456789abcdef0',
  securityGroupId: 'sg-0123456789abcdef0',
};

export interface PoolSpec {
  /** Written as `vmPool/config` (missing fields take the contract's defaults). */
  config: Partial<PoolConfig>;
  /** Competitions to create, optionally with a producer who may assign and release them. */
  competitions?: (string | { id: string; producer: string })[];
  /** VMs seeded as if launched earlier: an instance in the cloud and its record. */
  vms?: Record<string, 'available' | 'stopped'>;
  /** Wraps the in-memory cloud the use cases see (e.g. a FaultyCompute). */
  compute?: (memory: MemoryCompute) => ComputePort;
}

export interface TestPool {
  clock: ReturnType<typeof manualClock>;
  /** The in-memory cloud itself (also behind any wrapper from `spec.compute`). */
  compute: MemoryCompute;
  deps: UseCaseDeps & { logger: ReturnType<typeof testDeps>['logger'] };
  /** The record seeded as `vmId` (throws for a VM the spec did not seed). */
  seeded(vmId: string): VmRecord;
}

/** A clock at T0, an in-memory cloud, the use-case deps over `db`, and the pool of `spec`. */
export async function givenPool(db: Database, spec: PoolSpec): Promise<TestPool> {
  const clock = manualClock(T0);
  const compute = new MemoryCompute({ clock });
  const deps = testDeps(db, { clock, compute: spec.compute?.(compute) ?? compute });
  await writeConfig(db, spec.config);
  for (const competition of spec.competitions ?? []) {
    if (typeof competition === 'string') await addCompetition(db, competition);
    else await addCompetition(db, competition.id, competition.producer);
  }
  const vms: Record<string, VmRecord> = {};
  for (const [vmId, status] of Object.entries(spec.vms ?? {})) {
    vms[vmId] = await seedVm(db, compute, vmId, status, T0);
  }
  const seeded = (vmId: string): VmRecord => {
    const vm = vms[vmId];
    if (vm === undefined) throw new Error(`${vmId} was not seeded by this test`);
    return vm;
  };
  return { clock, compute, deps, seeded };
}

/**
 * One warm VM (`vm-001`) assigned to `meet-1` by request `a1`, checked to have succeeded. The
 * assign is made by `producer` when given (who then produces meet-1), else by an admin.
 */
export async function givenAssignedPool(
  db: Database,
  options: { config?: Partial<PoolConfig>; producer?: string } = {},
): Promise<TestPool & { vm: VmRecord }> {
  const { producer } = options;
  const pool = await givenPool(db, {
    config: options.config ?? QUIET_POOL,
    competitions: [producer === undefined ? 'meet-1' : { id: 'meet-1', producer }],
    vms: { 'vm-001': 'available' },
  });
  await submit(
    pool.deps,
    db,
    'a1',
    request('assign', { competitionId: 'meet-1' }, ...(producer === undefined ? [] : [producer])),
  );
  expect((await readResult(db, 'a1'))?.state).toBe('succeeded');
  return { ...pool, vm: pool.seeded('vm-001') };
}

/** The agent on `vmId` writes its report, and the trigger runs as it would in production. */
export async function agentReports(
  deps: UseCaseDeps,
  db: Database,
  vmId: string,
  report: AgentReport,
  before: AgentReport | null = null,
): Promise<void> {
  await db.ref(paths.vmAgent(vmId)).set(report);
  await onAgentReport(deps, vmId, before, report);
}
