import { describe, expect, it } from 'vitest';
import { manualClock } from '@vmpool/core/ports';
import { paths } from '@vmpool/core';
import { MemoryCompute } from '../src/adapters/memory';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { onAgentReport } from '../src/usecases/events/agent-report';
import { testDeps, T0 } from './support/deps';
import {
  addCompetition,
  agentReport,
  POOL_TAGS,
  readVm,
  REGION,
  request,
  seedVm,
  submit,
  writeConfig,
} from './support/fixtures';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();

function setup() {
  const clock = manualClock(T0);
  const compute = new MemoryCompute({ clock });
  return { clock, compute, deps: testDeps(env.admin.db, { clock, compute }) };
}

async function alerts(scope: string) {
  return Object.values(
    ((await env.admin.db.ref(paths.alerts(scope)).get()).val() ?? {}) as Record<
      string,
      { sourceId: string; level: string; resolved: boolean }
    >,
  );
}

describe('reconcile', () => {
  it('adopts tagged instances: the VmId tag names them, else the next free vm-NNN', async () => {
    const { compute, deps } = setup();
    await writeConfig(env.admin.db, { minWarmVMs: 0 });
    await seedVm(env.admin.db, compute, 'vm-001', 'stopped', T0);
    const tagged = compute.seed({
      region: REGION,
      state: 'stopped',
      tags: { ...POOL_TAGS, VmId: 'vm-007' },
    });
    const untagged = compute.seed({ region: REGION, state: 'running', tags: { ...POOL_TAGS } });
    compute.seed({ region: REGION, state: 'running', tags: { Project: 'other' } });

    const report = await reconcile(deps);
    expect(report.adopted).toBe(2);
    expect(await readVm(env.admin.db, 'vm-007')).toMatchObject({
      instanceId: tagged.instanceId,
      status: 'stopped',
    });
    expect(await readVm(env.admin.db, 'vm-002')).toMatchObject({
      instanceId: untagged.instanceId,
      status: 'starting',
    });
    expect(compute.get(untagged.instanceId)?.tags.VmId).toBe('vm-002');
    expect(compute.calls.describePoolInstances).toBe(1);
  });

  it("syncs a changed public IP into the competition's vmAddress", async () => {
    const { compute, deps } = setup();
    await writeConfig(env.admin.db, { minWarmVMs: 0 });
    await addCompetition(env.admin.db, 'meet-1');
    const vm = await seedVm(env.admin.db, compute, 'vm-001', 'available', T0);
    await submit(deps, env.admin.db, 'a1', request('assign', { competitionId: 'meet-1' }));
    // A stop and start outside vmpool gives the instance a new public IP.
    await compute.stopInstance(REGION, vm.instanceId);
    await compute.startInstance(REGION, vm.instanceId);
    const newIp = compute.get(vm.instanceId)?.publicIp;
    expect(newIp).not.toBe(vm.publicIp);
    await reconcile(deps);
    const config = (await env.admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
    expect(config.vmAddress).toBe(`${newIp}:3003`);
  });

  it('a stale heartbeat sends the VM to error with a critical alert, resolved when it returns', async () => {
    const { clock, compute, deps } = setup();
    await writeConfig(env.admin.db, {
      minWarmVMs: 0,
      agentStaleSeconds: 60,
      autoStopAfterHours: 0,
    });
    await seedVm(env.admin.db, compute, 'vm-001', 'available', T0);
    clock.advance(5 * 60_000);
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'error' });
    const raised = await alerts('pool');
    expect(raised).toEqual([
      expect.objectContaining({
        sourceId: 'vm-unreachable-vm-001',
        level: 'critical',
        resolved: false,
      }),
    ]);
    await reconcile(deps);
    expect(await alerts('pool')).toHaveLength(1);

    const report = agentReport(clock.now());
    await env.admin.db.ref(paths.vmAgent('vm-001')).set(report);
    await onAgentReport(deps, 'vm-001', null, report);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });
    await reconcile(deps);
    expect((await alerts('pool'))[0]?.resolved).toBe(true);
  });

  it('retries a start past its deadline once, then gives up with error', async () => {
    const { clock, compute, deps } = setup();
    await writeConfig(env.admin.db, { minWarmVMs: 0, warmupTimeSeconds: 60 });
    await seedVm(env.admin.db, compute, 'vm-001', 'stopped', T0);
    await submit(deps, env.admin.db, 's1', request('start', { vmId: 'vm-001' }));
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'starting' });
    clock.advance(3 * 60_000);
    await reconcile(deps);
    const retried = await readVm(env.admin.db, 'vm-001');
    expect(retried?.status).toBe('starting');
    expect(String(retried?.statusReason)).toContain('retried');
    expect(compute.calls.startInstance).toBe(2);
    clock.advance(3 * 60_000);
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'error' });
  });

  it('starts stopped VMs up to the warm minimum without passing the maximum', async () => {
    const { compute, deps } = setup();
    await writeConfig(env.admin.db, { minWarmVMs: 2, maxTotalVMs: 3, maxConcurrent: 3 });
    for (const vmId of ['vm-001', 'vm-002', 'vm-003']) {
      await seedVm(env.admin.db, compute, vmId, 'stopped', T0);
    }
    const report = await reconcile(deps);
    expect(report.started).toBe(2);
    const statuses = await Promise.all(
      ['vm-001', 'vm-002', 'vm-003'].map(
        async (vmId) => (await readVm(env.admin.db, vmId))?.status,
      ),
    );
    expect(statuses.filter((status) => status === 'starting')).toHaveLength(2);
    expect((await reconcile(deps)).started).toBe(0);
  });

  it('stops VMs idle past autoStopAfterHours with an info alert, keeping the warm minimum', async () => {
    const { clock, compute, deps } = setup();
    await writeConfig(env.admin.db, {
      minWarmVMs: 1,
      autoStopAfterHours: 1,
      agentStaleSeconds: 900,
    });
    await seedVm(env.admin.db, compute, 'vm-001', 'available', T0);
    await seedVm(env.admin.db, compute, 'vm-002', 'available', T0);
    clock.advance(61 * 60_000);
    for (const vmId of ['vm-001', 'vm-002']) {
      await env.admin.db.ref(paths.vmAgent(vmId)).update({ lastSeen: clock.now() });
    }
    const report = await reconcile(deps);
    expect(report.idleStopped).toBe(1);
    const info = (await alerts('pool')).filter((alert) => alert.level === 'info');
    expect(info).toHaveLength(1);
    expect(info[0]?.sourceId).toMatch(/^vm-idle-stopped-vm-00[12]$/);
  });

  it('asks EC2 once per region, whatever the pool size', async () => {
    const { compute, deps } = setup();
    await writeConfig(env.admin.db, { minWarmVMs: 0, maxTotalVMs: 200, maxConcurrent: 200 });
    for (let n = 0; n < 40; n += 1) {
      compute.seed({ region: REGION, state: 'stopped', tags: { ...POOL_TAGS } });
    }
    await reconcile(deps);
    compute.resetCalls();
    await reconcile(deps);
    expect(compute.calls.describePoolInstances).toBe(1);
    expect(compute.totalCalls()).toBe(1);
  });
});

describe('reconcile adopts VMs that were already up', () => {
  it('an instance running with its agent before it was tagged becomes available', async () => {
    const { clock, compute, deps } = setup();
    await writeConfig(env.admin.db, { minWarmVMs: 0, autoStopAfterHours: 0 });
    compute.seed({ region: REGION, state: 'running', tags: { ...POOL_TAGS, VmId: 'vm-005' } });
    // The agent's presence (onDisconnect) left a bare agent subtree behind.
    await env.admin.db.ref(paths.vmAgent('vm-005')).set({ online: false, lastSeen: clock.now() });
    clock.advance(5 * 60_000);
    expect((await reconcile(deps)).adopted).toBe(1);
    expect(await readVm(env.admin.db, 'vm-005')).toMatchObject({ status: 'starting' });
    const report = agentReport(T0, { lastSeen: clock.now() });
    await env.admin.db.ref(paths.vmAgent('vm-005')).set(report);
    await onAgentReport(deps, 'vm-005', null, report);
    expect(await readVm(env.admin.db, 'vm-005')).toMatchObject({ status: 'available' });
  });

  it('a stopped VM started outside the pool (console) counts its start from EC2 LaunchTime', async () => {
    const { clock, compute, deps } = setup();
    await writeConfig(env.admin.db, { minWarmVMs: 0, autoStopAfterHours: 0 });
    const seeded = await seedVm(env.admin.db, compute, 'vm-007', 'stopped', T0);
    clock.advance(60_000);
    await compute.startInstance(REGION, seeded.instanceId);
    const launchedAt = clock.now();
    clock.advance(30_000);
    // The agent boots and reports while the pool still records the VM as stopped.
    const agentStartedAt = clock.now();
    clock.advance(3 * 60_000);
    await env.admin.db
      .ref(paths.vmAgent('vm-007'))
      .set(agentReport(agentStartedAt, { lastSeen: clock.now() }));

    await reconcile(deps);
    await reconcile(deps);
    // lastStartedAt = now (this reconcile) would make the agent look older than the start.
    expect(await readVm(env.admin.db, 'vm-007')).toMatchObject({
      status: 'available',
      lastStartedAt: launchedAt,
    });
  });

  it('a starting VM whose agent already reported ready becomes available at the next reconcile', async () => {
    const { clock, compute, deps } = setup();
    await writeConfig(env.admin.db, { minWarmVMs: 0, autoStopAfterHours: 0 });
    compute.seed({ region: REGION, state: 'running', tags: { ...POOL_TAGS, VmId: 'vm-006' } });
    await env.admin.db.ref(paths.vmAgent('vm-006')).set(agentReport(clock.now()));
    await reconcile(deps);
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-006')).toMatchObject({ status: 'available' });
  });
});
