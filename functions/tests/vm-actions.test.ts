import { describe, expect, it } from 'vitest';
import { DEFAULT_POOL_CONFIG } from '@vmpool/core';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { T0 } from './support/deps';
import { readResult, readVm, request, seedVm, submit } from './support/fixtures';
import { givenPool } from './support/pool';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();

describe('admin VM actions', () => {
  it('launch: RunInstances with the config, the pool tags and a VmId tag', async () => {
    const { compute, deps } = await givenPool(env.admin.db, {
      config: {
        minWarmVMs: 0,
        amiId: 'ami-0123456789abcdef0',
        subnetId: 'subnet-0123456789abcdef0',
        securityGroupId: 'sg-0123456789abcdef0',
        instanceType: 't3.xlarge',
        tags: { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager', Team: 'crew' },
      },
    });
    await submit(deps, env.admin.db, 'l1', request('launch', {}));
    expect(await readResult(env.admin.db, 'l1')).toMatchObject({ state: 'succeeded', progress: 1 });
    const vm = await readVm(env.admin.db, 'vm-001');
    expect(vm).toMatchObject({ status: 'starting' });
    const instance = compute.get(String(vm?.instanceId));
    expect(instance).toMatchObject({ instanceType: 't3.xlarge' });
    expect(instance?.tags).toEqual({
      Project: 'gymnastics-graphics',
      ManagedBy: 'vm-pool-manager',
      Team: 'crew',
      VmId: 'vm-001',
      Name: 'vm-001',
    });
  });

  it('launch is refused with CONFIG_INCOMPLETE naming every missing setting', async () => {
    const { deps } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0, amiId: 'ami-0123456789abcdef0' },
    });
    await submit(deps, env.admin.db, 'l1', request('launch', {}));
    const result = await readResult(env.admin.db, 'l1');
    expect(result?.error?.code).toBe('CONFIG_INCOMPLETE');
    expect(result?.error?.message).toContain('subnetId, securityGroupId');
  });

  it('stop, start, reboot and terminate follow EC2; terminate removes the record', async () => {
    const { compute, deps, seeded } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0 },
      vms: { 'vm-001': 'available' },
    });
    const vm = seeded('vm-001');
    await submit(deps, env.admin.db, 's1', request('stop', { vmId: 'vm-001' }));
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'stopping',
      deadline: T0 + deps.settings.stopDeadlineMs,
    });
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'stopped' });
    await submit(deps, env.admin.db, 's2', request('start', { vmId: 'vm-001' }));
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'starting',
      deadline:
        T0 + DEFAULT_POOL_CONFIG.warmupTimeSeconds * 1000 * deps.settings.startDeadlineFactor,
    });
    expect(compute.get(vm.instanceId)?.state).toBe('running');
    await submit(deps, env.admin.db, 't1', request('terminate', { vmId: 'vm-001' }));
    expect((await readResult(env.admin.db, 't1'))?.error?.code).toBe('INVALID_STATE');
    await submit(deps, env.admin.db, 's3', request('stop', { vmId: 'vm-001' }));
    await reconcile(deps);
    await submit(deps, env.admin.db, 't2', request('terminate', { vmId: 'vm-001' }));
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'terminating' });
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toBeNull();

    await seedVm(env.admin.db, compute, 'vm-002', 'available', T0);
    await submit(deps, env.admin.db, 'b1', request('reboot', { vmId: 'vm-002' }));
    expect(await readVm(env.admin.db, 'vm-002')).toMatchObject({ status: 'starting' });
    expect(compute.calls.rebootInstance).toBe(1);
  });

  it('maintenance on keeps the VM out of assignments; off returns it by EC2 state', async () => {
    const { deps } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0 },
      vms: { 'vm-001': 'available' },
    });
    await submit(
      deps,
      env.admin.db,
      'm1',
      request('maintenance', { vmId: 'vm-001', options: { enabled: true } }),
    );
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'maintenance' });
    await submit(
      deps,
      env.admin.db,
      'm2',
      request('maintenance', { vmId: 'vm-001', options: { enabled: false } }),
    );
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });
  });
});
