import { describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { handleRequest } from '../src/usecases/requests/handle-request';
import { T0 } from './support/deps';
import { agentReport, readResult, readVm, request, submit, writeRequest } from './support/fixtures';
import { agentReports, givenPool, LAUNCHABLE } from './support/pool';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();

describe('assign', () => {
  it('hands a warm VM over at once and writes the competition config', async () => {
    const { deps, seeded } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0 },
      competitions: ['meet-1'],
      vms: { 'vm-001': 'available' },
    });
    const vm = seeded('vm-001');
    await submit(deps, env.admin.db, 'r1', request('assign', { competitionId: 'meet-1' }));

    const result = await readResult(env.admin.db, 'r1');
    expect(result).toMatchObject({ state: 'succeeded', progress: 1, vmId: 'vm-001' });
    expect(result?.vmAddress).toBe(`${vm.publicIp}:3003`);
    expect(result?.steps?.every((step) => step.state === 'done')).toBe(true);
    const config = (await env.admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
    expect(config).toMatchObject({ vmId: 'vm-001', vmAddress: `${vm.publicIp}:3003` });
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'assigned',
      assignedTo: 'meet-1',
      requestId: 'r1',
    });
    const auditEntry = (await env.admin.db.ref(paths.auditEntry('request-r1')).get()).val();
    expect(auditEntry).toMatchObject({ action: 'request.assign', outcome: 'succeeded' });
  });

  it('claims a stopped VM, starts it and hands it over when its agent reports ready', async () => {
    const { clock, compute, deps, seeded } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0, warmupTimeSeconds: 120 },
      competitions: ['meet-1'],
      vms: { 'vm-001': 'stopped' },
    });
    const vm = seeded('vm-001');
    await submit(deps, env.admin.db, 'r1', request('assign', { competitionId: 'meet-1' }));

    const waiting = await readResult(env.admin.db, 'r1');
    expect(waiting).toMatchObject({ state: 'running', step: 'Wait for agent', vmId: 'vm-001' });
    expect(waiting?.estimatedReadyAt).toBe(T0 + 120_000);
    expect(waiting?.steps?.map((step) => step.name)).toEqual([
      'Check request',
      'Claim VM',
      'Start instance',
      'Wait for agent',
      'Hand over',
    ]);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'starting',
      assignedTo: 'meet-1',
    });
    expect(compute.get(vm.instanceId)?.state).toBe('running');

    clock.advance(30_000);
    await agentReports(
      deps,
      env.admin.db,
      'vm-001',
      agentReport(clock.now(), { publicIp: '203.0.113.7' }),
    );

    expect(await readResult(env.admin.db, 'r1')).toMatchObject({
      state: 'succeeded',
      vmId: 'vm-001',
    });
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'assigned' });
    const config = (await env.admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
    expect(config.vmId).toBe('vm-001');
    expect(typeof config.vmAddress).toBe('string');
  });

  it('launches a new instance with the pool tags when no VM is free', async () => {
    const { compute, deps } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0, ...LAUNCHABLE },
      competitions: ['meet-1'],
    });
    await submit(deps, env.admin.db, 'r1', request('assign', { competitionId: 'meet-1' }));

    const vm = await readVm(env.admin.db, 'vm-001');
    expect(vm).toMatchObject({ status: 'starting', assignedTo: 'meet-1' });
    const instance = compute.get(String(vm?.instanceId));
    expect(instance?.tags).toMatchObject({
      Project: 'gymnastics-graphics',
      ManagedBy: 'vm-pool-manager',
      VmId: 'vm-001',
    });
    expect(await readResult(env.admin.db, 'r1')).toMatchObject({
      state: 'running',
      step: 'Wait for agent',
    });
  });

  it('fails with NO_VM_AVAILABLE when the pool is full and nothing is free', async () => {
    const { deps } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0, maxTotalVMs: 1, maxConcurrent: 1 },
      competitions: ['meet-1', 'meet-2'],
      vms: { 'vm-001': 'available' },
    });
    await submit(deps, env.admin.db, 'r1', request('assign', { competitionId: 'meet-1' }));
    await submit(deps, env.admin.db, 'r2', request('assign', { competitionId: 'meet-2' }));
    const failed = await readResult(env.admin.db, 'r2');
    expect(failed?.state).toBe('failed');
    expect(failed?.error).toEqual({
      code: 'NO_VM_AVAILABLE',
      message:
        'No VM available: the only VM is busy (1 assigned) and the pool is at its maximum of 1 (maxTotalVMs)',
    });
  });

  it('refuses a second VM for the same competition (ALREADY_ASSIGNED)', async () => {
    const { deps } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0 },
      competitions: ['meet-1'],
      vms: { 'vm-001': 'available', 'vm-002': 'available' },
    });
    await submit(deps, env.admin.db, 'r1', request('assign', { competitionId: 'meet-1' }));
    await submit(deps, env.admin.db, 'r2', request('assign', { competitionId: 'meet-1' }));
    expect((await readResult(env.admin.db, 'r2'))?.error?.code).toBe('ALREADY_ASSIGNED');
    // r1 took one of the two (which one depends on its id); the other stays free.
    const statuses = await Promise.all(
      ['vm-001', 'vm-002'].map(async (vmId) => (await readVm(env.admin.db, vmId))?.status),
    );
    expect(statuses.sort()).toEqual(['assigned', 'available']);
  });

  it('gives the same state when the same request is delivered twice', async () => {
    const { deps } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0 },
      competitions: ['meet-1'],
      vms: { 'vm-001': 'available', 'vm-002': 'available' },
    });
    const payload = request('assign', { competitionId: 'meet-1' });
    await writeRequest(env.admin.db, 'r1', payload);
    await Promise.all([handleRequest(deps, 'r1', payload), handleRequest(deps, 'r1', payload)]);
    await submit(deps, env.admin.db, 'r1', payload);
    const vms = (await env.admin.db.ref(paths.vms()).get()).val() as Record<
      string,
      { assignedTo?: string }
    >;
    const held = Object.values(vms).filter((vm) => vm.assignedTo === 'meet-1');
    expect(held).toHaveLength(1);
    expect((await readResult(env.admin.db, 'r1'))?.error).toBeUndefined();
    expect(await readResult(env.admin.db, 'r1')).toMatchObject({ state: 'succeeded' });
  });

  // Issue 17: a claim's links (the lock's VM, the competition's link) and its bookkeeping (the
  // allocation index entry) are one write after the claim's transaction; a run that died between
  // the two leaves a claimed VM that neither the lock nor the index shows.
  it('a re-run whose earlier run claimed a VM and died before its links takes that VM, no other', async () => {
    const vmIds = ['vm-001', 'vm-002', 'vm-003', 'vm-004'];
    for (const claimed of vmIds) {
      await env.admin.db.ref().set(null);
      const { deps, seeded } = await givenPool(env.admin.db, {
        config: { minWarmVMs: 0 },
        competitions: ['meet-1'],
        vms: Object.fromEntries(vmIds.map((vmId) => [vmId, 'available' as const])),
      });
      // A running pool: the index shows every VM free, as before the earlier run's claim.
      await deps.store.rewriteAllocationIndex(vmIds.map((vmId) => seeded(vmId)));
      const payload = request('assign', { competitionId: 'meet-1' });
      await writeRequest(env.admin.db, 'r1', payload);
      await env.admin.db.ref().update({
        [`vmPool/assignments/meet-1`]: { competitionId: 'meet-1', requestId: 'r1', at: T0 },
        [`${paths.vm(claimed)}/status`]: 'assigned',
        [`${paths.vm(claimed)}/assignedTo`]: 'meet-1',
        [`${paths.vm(claimed)}/assignedAt`]: T0,
        [`${paths.vm(claimed)}/assignedBy`]: payload.requestedBy,
        [`${paths.vm(claimed)}/requestId`]: 'r1',
      });

      await handleRequest(deps, 'r1', payload);

      const vms = (await env.admin.db.ref(paths.vms()).get()).val() as Record<
        string,
        { assignedTo?: string }
      >;
      const held = Object.keys(vms).filter((vmId) => vms[vmId]?.assignedTo === 'meet-1');
      expect({ claimed, held }).toEqual({ claimed, held: [claimed] });
      expect(await readResult(env.admin.db, 'r1')).toMatchObject({
        state: 'succeeded',
        vmId: claimed,
      });
      const config = (await env.admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
      expect(config).toMatchObject({ vmId: claimed });
      const lock = (await env.admin.db.ref('vmPool/assignments/meet-1').get()).val();
      expect(lock).toMatchObject({ requestId: 'r1', vmId: claimed });
    }
  });
});
