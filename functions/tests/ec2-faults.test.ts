import { describe, expect, it } from 'vitest';
import { manualClock } from '@vmpool/core/ports';
import { FaultyCompute, MemoryCompute } from '../src/adapters/memory';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { runQueuedCommands } from './support/agent-commands';
import { testDeps, T0 } from './support/deps';
import {
  addCompetition,
  readResult,
  readVm,
  request,
  seedVm,
  submit,
  writeConfig,
} from './support/fixtures';
import { poolProblems } from './support/invariants';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();

const LAUNCHABLE = {
  amiId: 'ami-0123456789abcdef0',
  subnetId: 'subnet-0123456789abcdef0',
  securityGroupId: 'sg-0123456789abcdef0',
};

function setup() {
  const clock = manualClock(T0);
  const memory = new MemoryCompute({ clock });
  const faulty = new FaultyCompute(memory);
  const deps = testDeps(env.admin.db, { clock, compute: faulty });
  return { clock, memory, faulty, deps };
}

describe('EC2 faults end in a retry or a clear error, never a stuck VM', () => {
  it('a throttled start of a cold assign fails clearly and the VM returns to stopped', async () => {
    const { memory, faulty, deps } = setup();
    await writeConfig(env.admin.db, { minWarmVMs: 0 });
    await addCompetition(env.admin.db, 'meet-1');
    await seedVm(env.admin.db, memory, 'vm-001', 'stopped', T0);
    faulty.fail('startInstance', 'THROTTLED');
    await submit(deps, env.admin.db, 'a1', request('assign', { competitionId: 'meet-1' }));
    const result = await readResult(env.admin.db, 'a1');
    expect(result?.error?.code).toBe('EC2_ERROR');
    expect(result?.error?.message).toMatch(/THROTTLED.*try again/);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'error' });
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'stopped' });
    expect(await poolProblems(env.admin.db)).toEqual([]);
    await submit(deps, env.admin.db, 'a2', request('assign', { competitionId: 'meet-1' }));
    expect((await readResult(env.admin.db, 'a2'))?.state).toBe('running');
  });

  it('a launch refused for capacity fails clearly and leaves no ghost VM', async () => {
    const { faulty, deps } = setup();
    await writeConfig(env.admin.db, { minWarmVMs: 0, ...LAUNCHABLE });
    await addCompetition(env.admin.db, 'meet-1');
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
    const { memory, faulty, deps } = setup();
    await writeConfig(env.admin.db, { minWarmVMs: 0 });
    await seedVm(env.admin.db, memory, 'vm-001', 'available', T0);
    faulty.fail('stopInstance', 'WRONG_STATE');
    await submit(deps, env.admin.db, 's1', request('stop', { vmId: 'vm-001' }));
    expect((await readResult(env.admin.db, 's1'))?.error?.code).toBe('EC2_ERROR');
    const vm = await readVm(env.admin.db, 'vm-001');
    expect(vm).toMatchObject({ status: 'error' });
    expect(String(vm?.statusReason)).toContain('WRONG_STATE');
  });

  it('a throttled stop after release is retried at its deadline', async () => {
    const { clock, memory, faulty, deps } = setup();
    await writeConfig(env.admin.db, { minWarmVMs: 0, agentStaleSeconds: 900 });
    await addCompetition(env.admin.db, 'meet-1');
    const vm = await seedVm(env.admin.db, memory, 'vm-001', 'available', T0);
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
    const { memory, faulty, deps } = setup();
    await writeConfig(env.admin.db, { minWarmVMs: 0 });
    const vm = await seedVm(env.admin.db, memory, 'vm-001', 'available', T0);
    await memory.stopInstance('us-east-1', vm.instanceId);
    faulty.fail('describePoolInstances', 'THROTTLED');
    const first = await reconcile(deps);
    expect(first.failedRegions).toEqual(['us-east-1']);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'stopped' });
  });
});
