import { describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { T0 } from './support/deps';
import {
  agentReport,
  POOL_TAGS,
  readVm,
  REGION,
  request,
  seedVm,
  submit,
} from './support/fixtures';
import { agentReports, givenPool } from './support/pool';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();

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
    const { compute, deps } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0 },
      vms: { 'vm-001': 'stopped' },
    });
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
    const { compute, deps, seeded } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0 },
      competitions: ['meet-1'],
      vms: { 'vm-001': 'available' },
    });
    const vm = seeded('vm-001');
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
    const { clock, deps } = await givenPool(env.admin.db, {
      config: {
        minWarmVMs: 0,
        agentStaleSeconds: 60,
        autoStopAfterHours: 0,
      },
      vms: { 'vm-001': 'available' },
    });
    clock.advance(5 * 60_000);
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'error',
      errorCause: 'agent_stale',
    });
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

    await agentReports(deps, env.admin.db, 'vm-001', agentReport(clock.now()));
    const recovered = await readVm(env.admin.db, 'vm-001');
    expect(recovered).toMatchObject({
      status: 'available',
      statusReason: 'recovered (the agent stopped reporting; cleared)',
    });
    expect(recovered?.errorCause).toBeUndefined();
    await reconcile(deps);
    expect((await alerts('pool'))[0]?.resolved).toBe(true);
  });

  it('retries a start past its deadline once, then gives up with error', async () => {
    const { clock, compute, deps } = await givenPool(env.admin.db, {
      // Automatic recovery off: the reboot that follows is recovery.test.ts's.
      config: { minWarmVMs: 0, warmupTimeSeconds: 60, recoveryMaxAttempts: 0 },
      vms: { 'vm-001': 'stopped' },
    });
    await submit(deps, env.admin.db, 's1', request('start', { vmId: 'vm-001' }));
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'starting' });
    clock.advance(3 * 60_000);
    await reconcile(deps);
    const retried = await readVm(env.admin.db, 'vm-001');
    expect(retried).toMatchObject({ status: 'starting', deadlineRetries: 1 });
    expect(compute.calls.startInstance).toBe(2);
    clock.advance(3 * 60_000);
    await reconcile(deps);
    const failed = await readVm(env.admin.db, 'vm-001');
    expect(failed).toMatchObject({ status: 'error', errorCause: 'start_timeout' });
    // Leaving the status forgets the retry: the next transitional status starts from 0.
    expect(failed?.deadlineRetries).toBe(0);
  });

  it('starts stopped VMs up to the warm minimum without passing the maximum', async () => {
    const { compute, deps } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 2, maxTotalVMs: 3, maxConcurrent: 3 },
    });
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
    const { clock, deps } = await givenPool(env.admin.db, {
      config: {
        minWarmVMs: 1,
        autoStopAfterHours: 1,
        agentStaleSeconds: 900,
      },
      vms: { 'vm-001': 'available', 'vm-002': 'available' },
    });
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
    const { compute, deps } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0, maxTotalVMs: 200, maxConcurrent: 200 },
    });
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
    const { clock, compute, deps } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0, autoStopAfterHours: 0 },
    });
    compute.seed({ region: REGION, state: 'running', tags: { ...POOL_TAGS, VmId: 'vm-005' } });
    // The agent's presence (onDisconnect) left a bare agent subtree behind.
    await env.admin.db.ref(paths.vmAgent('vm-005')).set({ online: false, lastSeen: clock.now() });
    clock.advance(5 * 60_000);
    expect((await reconcile(deps)).adopted).toBe(1);
    expect(await readVm(env.admin.db, 'vm-005')).toMatchObject({ status: 'starting' });
    await agentReports(deps, env.admin.db, 'vm-005', agentReport(T0, { lastSeen: clock.now() }));
    expect(await readVm(env.admin.db, 'vm-005')).toMatchObject({ status: 'available' });
  });

  it('a stopped VM started outside the pool (console) counts its start from EC2 LaunchTime', async () => {
    const { clock, compute, deps, seeded } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0, autoStopAfterHours: 0 },
      vms: { 'vm-007': 'stopped' },
    });
    clock.advance(60_000);
    await compute.startInstance(REGION, seeded('vm-007').instanceId);
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
    const { clock, compute, deps } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0, autoStopAfterHours: 0 },
    });
    compute.seed({ region: REGION, state: 'running', tags: { ...POOL_TAGS, VmId: 'vm-006' } });
    await env.admin.db.ref(paths.vmAgent('vm-006')).set(agentReport(clock.now()));
    await reconcile(deps);
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-006')).toMatchObject({ status: 'available' });
  });
});

describe('a VM whose agent report is unreadable (core parseVmEntry)', () => {
  it('stays in the pool with no agent, is reported, and fails as agent_stale like a silent agent', async () => {
    const { clock, deps } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0, autoStopAfterHours: 0, agentStaleSeconds: 60 },
      vms: { 'vm-001': 'available' },
    });
    await env.admin.db.ref(paths.vmAgent('vm-001')).update({ online: 'yes' });

    const listed = await deps.store.listVms();
    expect(listed.vms.map((vm) => [vm.vmId, vm.status, vm.agent])).toEqual([
      ['vm-001', 'available', null],
    ]);
    expect(listed.invalid).toEqual([]);
    expect(listed.agentProblems).toEqual([
      { path: 'vmPool/vms/vm-001/agent', errors: ['agent.online: must be true or false'] },
    ]);

    clock.advance(2 * 60_000);
    const report = await reconcile(deps);
    expect(report.invalidRecords).toBe(0);
    expect(
      deps.logger.lines.filter(
        (line) => line.message === 'unreadable agent report; the agent counts as silent',
      ),
    ).toHaveLength(1);
    const vm = await readVm(env.admin.db, 'vm-001');
    expect(vm).toMatchObject({ status: 'error', errorCause: 'agent_stale' });
    // The control plane never touches the agent's own subtree.
    expect(vm?.agent).toMatchObject({ online: 'yes' });
  });
});

describe('a pool that cannot grow', () => {
  it('does not try to launch with an AMI alone, and raises pool-low naming what is missing', async () => {
    const { compute, deps } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 2, autoStopAfterHours: 0, amiId: 'ami-0123456789abcdef0' },
    });
    const report = await reconcile(deps);
    expect(report.launched).toBe(0);
    expect(compute.calls.launchInstance).toBe(0);
    expect(await alerts('pool')).toEqual([
      expect.objectContaining({
        sourceId: 'pool-low',
        level: 'warning',
        resolved: false,
        message:
          '0 of 2 warm VMs, and no stopped VM or launch can make up the 2 missing. New VMs cannot be launched until subnetId, securityGroupId are set in the pool config.',
      }),
    ]);
  });
});
