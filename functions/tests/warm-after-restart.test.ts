// Issue 11: after the control plane (or the whole local stack) comes back, every agent looks
// stale until it reports again. The warm minimum must not start other VMs for VMs that EC2 runs
// and whose agents merely have not reported since; it replaces them only if they never do.
import { describe, expect, it } from 'vitest';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { agentReport, readVm } from './support/fixtures';
import { agentReports, givenPool, QUIET_POOL } from './support/pool';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();

/** The local stack's pool: two warm VMs, agents stale after 20 s, a start takes up to 11 s. */
const POOL = { ...QUIET_POOL, minWarmVMs: 2, agentStaleSeconds: 20, warmupTimeSeconds: 11 };

async function restartedPool() {
  const pool = await givenPool(env.admin.db, {
    config: POOL,
    vms: { 'vm-001': 'available', 'vm-002': 'available', 'vm-003': 'stopped', 'vm-004': 'stopped' },
  });
  // The control plane was down two minutes; the agents' last reports are that old.
  pool.clock.advance(120_000);
  return pool;
}

const statuses = async () =>
  Promise.all(
    ['vm-001', 'vm-002', 'vm-003', 'vm-004'].map(
      async (vmId) => (await readVm(env.admin.db, vmId))?.status,
    ),
  );

describe('the warm minimum after a restart (issue 11)', () => {
  it('starts no VM while the running VMs wait for their agents, which then recover them', async () => {
    const { clock, deps } = await restartedPool();
    await reconcile(deps);
    // Their agents look stale, but EC2 runs them: no replacement is started.
    expect(await statuses()).toEqual(['error', 'error', 'stopped', 'stopped']);

    clock.advance(10_000);
    for (const vmId of ['vm-001', 'vm-002'])
      await agentReports(deps, env.admin.db, vmId, agentReport(clock.now()));
    await reconcile(deps);
    expect(await statuses()).toEqual(['available', 'available', 'stopped', 'stopped']);
  });

  it('replaces VMs whose agents never report once a start plus the staleness window passed', async () => {
    const { clock, deps } = await restartedPool();
    await reconcile(deps);
    clock.advance((POOL.warmupTimeSeconds + POOL.agentStaleSeconds) * 1000);
    await reconcile(deps);
    expect((await statuses()).slice(2)).toEqual(['starting', 'starting']);
  });
});
