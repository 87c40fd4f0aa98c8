import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '@vmpool/core/ports';
import type { RtdbServer } from '@vmpool/local/rtdb';
import { MemoryCompute } from '../src/adapters/memory';
import { handleRequest } from '../src/usecases/requests/handle-request';
import { onAgentReport } from '../src/usecases/events/agent-report';
import { testDeps, T0 } from './support/deps';
import {
  addCompetition,
  agentReport,
  readResult,
  readVm,
  request,
  seedVm,
  submit,
  writeConfig,
  writeRequest,
} from './support/fixtures';
import { freshAdminDb, releaseRtdb, sharedRtdb, type AdminDb } from './support/rtdb';
import { paths } from '@vmpool/core';

let rtdb: RtdbServer;
let admin: AdminDb;

beforeAll(async () => {
  rtdb = await sharedRtdb();
});
afterAll(async () => {
  await releaseRtdb();
});
beforeEach(async () => {
  admin = await freshAdminDb(rtdb);
});
afterEach(async () => {
  await admin.close();
});

function setup() {
  const clock = manualClock(T0);
  const compute = new MemoryCompute({ clock });
  const deps = testDeps(admin.db, { clock, compute });
  return { clock, compute, deps };
}

describe('assign', () => {
  it('hands a warm VM over at once and writes the competition config', async () => {
    const { compute, deps } = setup();
    await writeConfig(admin.db, { minWarmVMs: 0 });
    await addCompetition(admin.db, 'meet-1');
    const vm = await seedVm(admin.db, compute, 'vm-001', 'available', T0);
    await submit(deps, admin.db, 'r1', request('assign', { competitionId: 'meet-1' }));

    const result = await readResult(admin.db, 'r1');
    expect(result).toMatchObject({ state: 'succeeded', progress: 1, vmId: 'vm-001' });
    expect(result?.vmAddress).toBe(`${vm.publicIp}:3003`);
    expect(result?.steps?.every((step) => step.state === 'done')).toBe(true);
    const config = (await admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
    expect(config).toMatchObject({ vmId: 'vm-001', vmAddress: `${vm.publicIp}:3003` });
    expect(await readVm(admin.db, 'vm-001')).toMatchObject({
      status: 'assigned',
      assignedTo: 'meet-1',
      requestId: 'r1',
    });
    const auditEntry = (await admin.db.ref(paths.auditEntry('request-r1')).get()).val();
    expect(auditEntry).toMatchObject({ action: 'request.assign', outcome: 'succeeded' });
  });

  it('claims a stopped VM, starts it and hands it over when its agent reports ready', async () => {
    const { clock, compute, deps } = setup();
    await writeConfig(admin.db, { minWarmVMs: 0, warmupTimeSeconds: 120 });
    await addCompetition(admin.db, 'meet-1');
    const vm = await seedVm(admin.db, compute, 'vm-001', 'stopped', T0);
    await submit(deps, admin.db, 'r1', request('assign', { competitionId: 'meet-1' }));

    const waiting = await readResult(admin.db, 'r1');
    expect(waiting).toMatchObject({ state: 'running', step: 'Wait for agent', vmId: 'vm-001' });
    expect(waiting?.estimatedReadyAt).toBe(T0 + 120_000);
    expect(waiting?.steps?.map((step) => step.name)).toEqual([
      'Check request',
      'Claim VM',
      'Start instance',
      'Wait for agent',
      'Hand over',
    ]);
    expect(await readVm(admin.db, 'vm-001')).toMatchObject({
      status: 'starting',
      assignedTo: 'meet-1',
    });
    expect(compute.get(vm.instanceId)?.state).toBe('running');

    clock.advance(30_000);
    const report = agentReport(clock.now(), { publicIp: '203.0.113.7' });
    await admin.db.ref(paths.vmAgent('vm-001')).set(report);
    await onAgentReport(deps, 'vm-001', null, report);

    expect(await readResult(admin.db, 'r1')).toMatchObject({
      state: 'succeeded',
      vmId: 'vm-001',
    });
    expect(await readVm(admin.db, 'vm-001')).toMatchObject({ status: 'assigned' });
    const config = (await admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
    expect(config.vmId).toBe('vm-001');
    expect(typeof config.vmAddress).toBe('string');
  });

  it('launches a new instance with the pool tags when no VM is free', async () => {
    const { compute, deps } = setup();
    await writeConfig(admin.db, {
      minWarmVMs: 0,
      amiId: 'ami-0123456789abcdef0',
      subnetId: 'subnet-0123456789abcdef0',
      securityGroupId: 'sg-0123456789abcdef0',
    });
    await addCompetition(admin.db, 'meet-1');
    await submit(deps, admin.db, 'r1', request('assign', { competitionId: 'meet-1' }));

    const vm = await readVm(admin.db, 'vm-001');
    expect(vm).toMatchObject({ status: 'starting', assignedTo: 'meet-1' });
    const instance = compute.get(String(vm?.instanceId));
    expect(instance?.tags).toMatchObject({
      Project: 'gymnastics-graphics',
      ManagedBy: 'vm-pool-manager',
      VmId: 'vm-001',
    });
    expect(await readResult(admin.db, 'r1')).toMatchObject({
      state: 'running',
      step: 'Wait for agent',
    });
  });

  it('fails with NO_VM_AVAILABLE when the pool is full and nothing is free', async () => {
    const { compute, deps } = setup();
    await writeConfig(admin.db, { minWarmVMs: 0, maxTotalVMs: 1, maxConcurrent: 1 });
    await addCompetition(admin.db, 'meet-1');
    await addCompetition(admin.db, 'meet-2');
    await seedVm(admin.db, compute, 'vm-001', 'available', T0);
    await submit(deps, admin.db, 'r1', request('assign', { competitionId: 'meet-1' }));
    await submit(deps, admin.db, 'r2', request('assign', { competitionId: 'meet-2' }));
    const failed = await readResult(admin.db, 'r2');
    expect(failed?.state).toBe('failed');
    expect(failed?.error).toEqual({
      code: 'NO_VM_AVAILABLE',
      message:
        'No VM available: the only VM is busy (1 assigned) and the pool is at its maximum of 1 (maxTotalVMs)',
    });
  });

  it('refuses a second VM for the same competition (ALREADY_ASSIGNED)', async () => {
    const { compute, deps } = setup();
    await writeConfig(admin.db, { minWarmVMs: 0 });
    await addCompetition(admin.db, 'meet-1');
    await seedVm(admin.db, compute, 'vm-001', 'available', T0);
    await seedVm(admin.db, compute, 'vm-002', 'available', T0);
    await submit(deps, admin.db, 'r1', request('assign', { competitionId: 'meet-1' }));
    await submit(deps, admin.db, 'r2', request('assign', { competitionId: 'meet-1' }));
    expect((await readResult(admin.db, 'r2'))?.error?.code).toBe('ALREADY_ASSIGNED');
    expect(await readVm(admin.db, 'vm-002')).toMatchObject({ status: 'available' });
  });

  it('gives the same state when the same request is delivered twice', async () => {
    const { compute, deps } = setup();
    await writeConfig(admin.db, { minWarmVMs: 0 });
    await addCompetition(admin.db, 'meet-1');
    await seedVm(admin.db, compute, 'vm-001', 'available', T0);
    await seedVm(admin.db, compute, 'vm-002', 'available', T0);
    const payload = request('assign', { competitionId: 'meet-1' });
    await writeRequest(admin.db, 'r1', payload);
    await Promise.all([handleRequest(deps, 'r1', payload), handleRequest(deps, 'r1', payload)]);
    await submit(deps, admin.db, 'r1', payload);
    const vms = (await admin.db.ref(paths.vms()).get()).val() as Record<
      string,
      { assignedTo?: string }
    >;
    const held = Object.values(vms).filter((vm) => vm.assignedTo === 'meet-1');
    expect(held).toHaveLength(1);
    expect((await readResult(admin.db, 'r1'))?.error).toBeUndefined();
    expect(await readResult(admin.db, 'r1')).toMatchObject({ state: 'succeeded' });
  });
});
