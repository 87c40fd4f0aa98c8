import { describe, expect, it } from 'vitest';
import { FaultyCompute } from '../src/adapters/memory';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { runQueuedCommands } from './support/agent-commands';
import { readResult, readVm, request, submit } from './support/fixtures';
import { poolProblems } from './support/invariants';
import { givenPool, LAUNCHABLE, type PoolSpec } from './support/pool';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();

/** A pool whose use cases reach the in-memory cloud through a FaultyCompute. */
async function setup(spec: Omit<PoolSpec, 'compute'>) {
  const built: { faulty?: FaultyCompute } = {};
  const pool = await givenPool(env.admin.db, {
    ...spec,
    compute: (memory) => (built.faulty = new FaultyCompute(memory)),
  });
  const { faulty } = built;
  if (faulty === undefined) throw new Error('givenPool did not build the compute');
  return { ...pool, memory: pool.compute, faulty };
}

describe('EC2 faults end in a retry or a clear error, never a stuck VM', () => {
  it('a throttled start of a cold assign fails clearly and the VM returns to stopped', async () => {
    const { faulty, deps } = await setup({
      config: { minWarmVMs: 0 },
      competitions: ['meet-1'],
      vms: { 'vm-001': 'stopped' },
    });
    faulty.fail('startInstance', 'THROTTLED');
    await submit(deps, env.admin.db, 'a1', request('assign', { competitionId: 'meet-1' }));
    const result = await readResult(env.admin.db, 'a1');
    expect(result?.error?.code).toBe('EC2_ERROR');
    expect(result?.error?.message).toMatch(/THROTTLED.*try again/);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'error',
      errorCause: 'ec2_failed',
    });
    await reconcile(deps);
    const stopped = await readVm(env.admin.db, 'vm-001');
    expect(stopped).toMatchObject({ status: 'stopped' });
    expect(stopped?.errorCause).toBeUndefined();
    expect(await poolProblems(env.admin.db)).toEqual([]);
    await submit(deps, env.admin.db, 'a2', request('assign', { competitionId: 'meet-1' }));
    expect((await readResult(env.admin.db, 'a2'))?.state).toBe('running');
  });

  it('a launch refused for capacity fails clearly and leaves no ghost VM', async () => {
    const { faulty, deps } = await setup({
      config: { minWarmVMs: 0, ...LAUNCHABLE },
      competitions: ['meet-1'],
    });
    faulty.fail('launchInstance', 'CAPACITY');
    await submit(deps, env.admin.db, 'a1', request('assign', { competitionId: 'meet-1' }));
    expect((await readResult(env.admin.db, 'a1'))?.error?.code).toBe('EC2_ERROR');
    expect(await readVm(env.admin.db, 'vm-001')).toBeNull();
    await submit(deps, env.admin.db, 'a2', request('assign', { competitionId: 'meet-1' }));
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'starting',
      assignedTo: 'meet-1',
    });
  });

  it('a wrong-state stop is a clear error on the request and the VM', async () => {
    const { faulty, deps } = await setup({
      config: { minWarmVMs: 0 },
      vms: { 'vm-001': 'available' },
    });
    faulty.fail('stopInstance', 'WRONG_STATE');
    await submit(deps, env.admin.db, 's1', request('stop', { vmId: 'vm-001' }));
    expect((await readResult(env.admin.db, 's1'))?.error?.code).toBe('EC2_ERROR');
    const vm = await readVm(env.admin.db, 'vm-001');
    expect(vm).toMatchObject({ status: 'error', errorCause: 'ec2_failed' });
    expect(String(vm?.statusReason)).toContain('WRONG_STATE');
  });

  it('a throttled stop after release is retried at its deadline', async () => {
    const { clock, memory, faulty, deps, seeded } = await setup({
      config: { minWarmVMs: 0, agentStaleSeconds: 900 },
      competitions: ['meet-1'],
      vms: { 'vm-001': 'available' },
    });
    const vm = seeded('vm-001');
    await submit(deps, env.admin.db, 'a1', request('assign', { competitionId: 'meet-1' }));
    faulty.fail('stopInstance', 'THROTTLED');
    await submit(
      deps,
      env.admin.db,
      'r1',
      request('release', { competitionId: 'meet-1', options: { stopVM: true } }),
    );
    await runQueuedCommands(env.admin.db, deps, 'vm-001');
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'stopping' });
    expect(memory.get(vm.instanceId)?.state).toBe('running');
    clock.advance(deps.settings.stopDeadlineMs + 1);
    await reconcile(deps);
    await reconcile(deps);
    expect(memory.get(vm.instanceId)?.state).toBe('stopped');
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'stopped' });
  });

  it('a throttled describe skips the region this round and the next round syncs', async () => {
    const { memory, faulty, deps, seeded } = await setup({
      config: { minWarmVMs: 0 },
      vms: { 'vm-001': 'available' },
    });
    const vm = seeded('vm-001');
    await memory.stopInstance('us-east-1', vm.instanceId);
    faulty.fail('describePoolInstances', 'THROTTLED');
    const first = await reconcile(deps);
    expect(first.failedRegions).toEqual(['us-east-1']);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'stopped' });
  });
});
