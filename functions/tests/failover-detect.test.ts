// Failover detection gaps (issue 12): EC2 status checks as a failure signal, the failed VM
// rebooted or stopped per `failedVmAction` (resumable), and re-checks that switch a show
// without waiting for a reconcile. Use cases over the local RTDB server with the in-memory cloud.
import { describe, expect, it } from 'vitest';
import {
  paths,
  type FailoverRecheckTask,
  type FailoverRecord,
  type PoolConfig,
} from '@vmpool/core';
import { FaultyCompute, type MemoryCompute } from '../src/adapters/memory';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { recheckFailover } from '../src/usecases/failover/recheck';
import { applyEc2StateChange } from '../src/usecases/events/ec2-state-change';
import type { UseCaseDeps } from '../src/usecases/deps';
import { agentReport, readResult, readVm, request, seedVm, submit } from './support/fixtures';
import { poolProblems } from './support/invariants';
import { agentReports, givenPool, QUIET_POOL } from './support/pool';
import { useTestDatabase } from './support/rtdb';
import type { tableShowProbe } from './support/show-probe';

const env = useTestDatabase();

type Probe = ReturnType<typeof tableShowProbe>;

async function failoverRecord(competitionId: string): Promise<FailoverRecord | null> {
  return (await env.admin.db.ref(paths.failover(competitionId)).get()).val() as FailoverRecord;
}

async function showVm(competitionId: string): Promise<string | undefined> {
  const config = (await env.admin.db.ref(paths.competitionConfig(competitionId)).get()).val() as {
    vmId?: string;
  } | null;
  return config?.vmId;
}

async function auditEntries(action: string) {
  const all = ((await env.admin.db.ref(paths.audit()).get()).val() ?? {}) as Record<
    string,
    { action: string; detail?: string; outcome: string }
  >;
  return Object.values(all).filter((entry) => entry.action === action);
}

/** Captures what would go to Cloud Tasks. */
function recordingScheduler() {
  const tasks: { task: FailoverRecheckTask; delaySeconds: number }[] = [];
  return {
    tasks,
    scheduler: {
      schedule: (task: FailoverRecheckTask, delaySeconds: number) => {
        tasks.push({ task, delaySeconds });
        return Promise.resolve();
      },
    },
  };
}

/** meet-1 live on vm-001 (assigned by request a1), vm-002 a warm spare. */
async function givenLiveShow(
  config: Partial<PoolConfig> = {},
  faulty = false,
  spare: 'available' | 'stopped' = 'available',
) {
  let faults: FaultyCompute | null = null;
  const pool = await givenPool(env.admin.db, {
    config: { ...QUIET_POOL, failoverMode: 'auto', failoverAfterSeconds: 30, ...config },
    competitions: ['meet-1'],
    vms: { 'vm-001': 'available' },
    ...(faulty ? { compute: (memory) => (faults = new FaultyCompute(memory)) } : {}),
  });
  await submit(pool.deps, env.admin.db, 'a1', request('assign', { competitionId: 'meet-1' }));
  expect((await readResult(env.admin.db, 'a1'))?.state).toBe('succeeded');
  await seedVm(env.admin.db, pool.compute, 'vm-002', spare, pool.clock.now());
  const failed = (await readVm(env.admin.db, 'vm-001')) as { instanceId: string };
  const address = (
    (await env.admin.db.ref(paths.competitionConfig('meet-1')).get()).val() as {
      vmAddress: string;
    }
  ).vmAddress;
  const recheck = recordingScheduler();
  const deps: UseCaseDeps = { ...pool.deps, failoverRecheck: recheck.scheduler };
  return {
    ...pool,
    deps,
    recheck,
    logger: pool.deps.logger,
    faults: faults as FaultyCompute | null,
    instanceId: failed.instanceId,
    address,
    probe: pool.deps.showProbe as Probe,
  };
}

describe('EC2 status checks as a failure signal', () => {
  it('switches a show whose VM fails its instance status check while its agent still reports', async () => {
    const { deps, clock, compute, instanceId } = await givenLiveShow();
    await reconcile(deps);
    expect(await failoverRecord('meet-1')).toBeNull();

    compute.impair(instanceId, { instance: true });
    await reconcile(deps);
    expect(await failoverRecord('meet-1')).toMatchObject({
      state: 'watching',
      reason: 'EC2 reports failed instance status checks',
    });
    clock.advance(30_000);
    await reconcile(deps);
    expect(await showVm('meet-1')).toBe('vm-002');
    expect(await failoverRecord('meet-1')).toMatchObject({
      state: 'switched',
      failedVmHandled: 'rebooted',
    });
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });

  it('a failed system check counts too; a check that clears before failoverAfterSeconds is forgotten', async () => {
    const { deps, clock, compute, instanceId } = await givenLiveShow();
    compute.impair(instanceId, { system: true });
    await reconcile(deps);
    expect((await failoverRecord('meet-1'))?.reason).toBe(
      'EC2 reports failed system status checks',
    );
    // A reboot (e.g. by an admin) clears the checks before the failover acts.
    await compute.rebootInstance('us-east-1', instanceId);
    clock.advance(10_000);
    await reconcile(deps);
    expect(await failoverRecord('meet-1')).toBeNull();
    clock.advance(60_000);
    await reconcile(deps);
    expect(await showVm('meet-1')).toBe('vm-001');
  });

  it('asks EC2 once per reconcile for the VMs on a show only, and judges without checks when EC2 refuses', async () => {
    const { deps, compute, faults, logger } = await givenLiveShow({}, true);
    compute.resetCalls();
    await reconcile(deps);
    // vm-001 holds the show; vm-002 (free) is not asked about.
    expect(compute.calls.describeInstanceStatus).toBe(1);
    faults!.fail('describeInstanceStatus', 'THROTTLED', 5);
    await reconcile(deps);
    expect(await failoverRecord('meet-1')).toBeNull();
    expect(
      logger.lines.filter((line) => line.message.startsWith('failover: EC2 status checks')),
    ).toHaveLength(1);
  });
});

describe('the failed VM after the switch (failedVmAction)', () => {
  it('reboot (default): rebooted once, in error until healthy, then back in the pool', async () => {
    const { deps, clock, compute, probe, address } = await givenLiveShow();
    probe.down(address);
    await agentReports(
      deps,
      env.admin.db,
      'vm-001',
      agentReport(clock.now(), { online: false }),
      agentReport(clock.now()),
    );
    clock.advance(30_000);
    await reconcile(deps);
    expect(await showVm('meet-1')).toBe('vm-002');
    expect(compute.calls.rebootInstance).toBe(1);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'error',
      errorCause: 'failed_over',
    });
    expect((await auditEntries('failover.failed_vm'))[0]).toMatchObject({
      outcome: 'succeeded',
      detail: 'vm-001 rebooted (failedVmAction reboot); back in the pool once healthy',
    });

    // Still down after the reboot: it stays in error, and is not rebooted again.
    clock.advance(60_000);
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'error' });
    expect(compute.calls.rebootInstance).toBe(1);

    // Its agent reports healthy after the reboot: recovery takes it back into the pool.
    probe.up(address);
    clock.advance(5_000);
    await agentReports(deps, env.admin.db, 'vm-001', agentReport(clock.now()));
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });
    expect((await readVm(env.admin.db, 'vm-001'))?.assignedTo).toBeUndefined();
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });

  it('stop: the failed VM is stopped and rejoins the pool as stopped', async () => {
    const { deps, clock, compute, instanceId } = await givenLiveShow({ failedVmAction: 'stop' });
    compute.impair(instanceId);
    await reconcile(deps);
    clock.advance(30_000);
    await reconcile(deps);
    expect(await showVm('meet-1')).toBe('vm-002');
    expect(await failoverRecord('meet-1')).toMatchObject({ failedVmHandled: 'stopped' });
    expect(compute.calls.rebootInstance).toBe(0);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'stopping' });
    expect(compute.get(instanceId)?.state).toMatch(/^stopp/);

    clock.advance(10_000);
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'stopped',
      ec2State: 'stopped',
    });
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });

  it('a switch cut short before the reboot: the next reconcile reboots the VM, once', async () => {
    const { deps, clock, compute, probe, address } = await givenLiveShow();
    probe.down(address);
    await env.admin.db.ref(`${paths.vmAgent('vm-001')}/online`).set(false);
    await reconcile(deps);
    clock.advance(30_000);
    await reconcile(deps);
    expect(compute.calls.rebootInstance).toBe(1);
    // As if the control plane had died between the take-out and the reboot.
    await env.admin.db.ref(`${paths.failover('meet-1')}/failedVmHandled`).remove();
    await reconcile(deps);
    expect(compute.calls.rebootInstance).toBe(2);
    expect((await failoverRecord('meet-1'))?.failedVmHandled).toBe('rebooted');
    await reconcile(deps);
    expect(compute.calls.rebootInstance).toBe(2);
  });

  it('leaves a failed VM alone when EC2 no longer runs it', async () => {
    const { deps, clock, compute, instanceId } = await givenLiveShow();
    await compute.stopInstance('us-east-1', instanceId);
    await reconcile(deps);
    clock.advance(30_000);
    await reconcile(deps);
    expect(await showVm('meet-1')).toBe('vm-002');
    expect((await failoverRecord('meet-1'))?.failedVmHandled).toBe('left');
    expect(compute.calls.rebootInstance).toBe(0);
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });
});

describe('failover re-checks (no reconcile tick needed)', () => {
  async function agentGoesOffline(setup: Awaited<ReturnType<typeof givenLiveShow>>) {
    const { deps, clock, probe, address } = setup;
    probe.down(address);
    const before = agentReport(clock.now());
    clock.advance(1_000);
    await agentReports(deps, env.admin.db, 'vm-001', { ...before, online: false }, before);
  }

  it('the agent going offline schedules a re-check that switches the show when it is due', async () => {
    const setup = await givenLiveShow();
    await agentGoesOffline(setup);
    const record = await failoverRecord('meet-1');
    expect(record?.state).toBe('watching');
    expect(setup.recheck.tasks).toEqual([
      {
        task: { competitionId: 'meet-1', vmId: 'vm-001', since: record!.since, round: 0 },
        delaySeconds: 31,
      },
    ]);
    setup.clock.advance(31_000);
    // No reconcile: the task alone moves the show.
    const outcome = await recheckFailover(setup.deps, setup.recheck.tasks[0]!.task);
    expect(outcome).toMatchObject({ kind: 'judged', state: 'switched' });
    expect(await showVm('meet-1')).toBe('vm-002');
    // A duplicate delivery changes nothing.
    expect(await recheckFailover(setup.deps, setup.recheck.tasks[0]!.task)).toMatchObject({
      kind: 'stale',
    });
    expect(await showVm('meet-1')).toBe('vm-002');
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });

  it('follows a switch that waits for a cold spare until it is switched and live, without reconcile', async () => {
    const setup = await givenLiveShow({ warmupTimeSeconds: 120 }, false, 'stopped');
    await agentGoesOffline(setup);
    setup.clock.advance(31_000);
    const first = await recheckFailover(setup.deps, setup.recheck.tasks[0]!.task);
    expect(first).toEqual({ kind: 'judged', state: 'switching', followUp: 5 });
    const follow = setup.recheck.tasks[1]!;
    expect(follow).toMatchObject({ task: { round: 1 }, delaySeconds: 5 });
    expect(await recheckFailover(setup.deps, follow.task)).toMatchObject({
      state: 'switching',
      followUp: 5,
    });

    // The spare's agent reports ready: the hand-over writes the competition's config; the next
    // follow-up moves the record and the alerts on.
    setup.clock.advance(40_000);
    await agentReports(setup.deps, env.admin.db, 'vm-002', agentReport(setup.clock.now()));
    expect(await showVm('meet-1')).toBe('vm-002');
    const next = setup.recheck.tasks.at(-1)!;
    expect(await recheckFailover(setup.deps, next.task)).toEqual({
      kind: 'judged',
      state: 'switched',
      followUp: null,
    });
    expect((await failoverRecord('meet-1'))?.liveAt).toEqual(expect.any(Number));
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });

  it('an EC2 state-change event (stopped, terminated) starts the failure clock and its re-check at once', async () => {
    const changes = [
      ['stopped', (c: MemoryCompute, id: string) => c.stopInstance('us-east-1', id)],
      ['terminated', (c: MemoryCompute, id: string) => c.terminateInstance('us-east-1', id)],
    ] as const;
    for (const [state, change] of changes) {
      await env.admin.db.ref().set(null);
      const setup = await givenLiveShow();
      await change(setup.compute, setup.instanceId);
      setup.clock.advance(1_000);
      const outcome = await applyEc2StateChange(setup.deps, {
        eventId: `event-${state}`,
        region: 'us-east-1',
        instanceId: setup.instanceId,
        state,
        time: setup.clock.now(),
      });
      expect(outcome.outcome).toBe('synced');
      const record = await failoverRecord('meet-1');
      expect(record).toMatchObject({ state: 'watching', since: setup.clock.now() });
      expect(record?.reason).toMatch(/^EC2 reports the instance|gone from EC2/);
      expect(setup.recheck.tasks).toHaveLength(1);
      setup.clock.advance(31_000);
      await recheckFailover(setup.deps, setup.recheck.tasks[0]!.task);
      expect(await showVm('meet-1')).toBe('vm-002');
      expect(await poolProblems(env.admin.db)).toEqual([]);
    }
  });

  it('judges by EC2 state now, not a record that lags behind a start', async () => {
    const setup = await givenLiveShow();
    // As after a cold start that no reconcile or EC2 event has synced yet.
    await env.admin.db.ref(`${paths.vm('vm-001')}/ec2State`).set('stopped');
    await agentGoesOffline(setup);
    expect(await failoverRecord('meet-1')).toMatchObject({
      state: 'watching',
      reason: 'agent offline and the show server does not answer',
    });
    setup.clock.advance(31_000);
    await recheckFailover(setup.deps, setup.recheck.tasks[0]!.task);
    expect(await showVm('meet-1')).toBe('vm-002');
    // EC2 runs it: rebooted, not left alone as the record's `stopped` would have it.
    expect((await failoverRecord('meet-1'))?.failedVmHandled).toBe('rebooted');
    expect(setup.compute.calls.rebootInstance).toBe(1);
  });

  it('concurrent re-checks give the show one spare', async () => {
    const setup = await givenLiveShow();
    await seedVm(env.admin.db, setup.compute, 'vm-003', 'available', setup.clock.now());
    await agentGoesOffline(setup);
    setup.clock.advance(31_000);
    const task = setup.recheck.tasks[0]!.task;
    await Promise.all([1, 2, 3].map(() => recheckFailover(setup.deps, task)));
    const holders = [];
    for (const vmId of ['vm-002', 'vm-003']) {
      if ((await readVm(env.admin.db, vmId))?.assignedTo === 'meet-1') holders.push(vmId);
    }
    expect(holders).toHaveLength(1);
    expect(await showVm('meet-1')).toBe(holders[0]);
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });

  it('a VM that recovered meanwhile keeps its show; the re-check forgets the failure', async () => {
    const setup = await givenLiveShow();
    await agentGoesOffline(setup);
    setup.clock.advance(10_000);
    setup.probe.up(setup.address);
    await agentReports(setup.deps, env.admin.db, 'vm-001', agentReport(setup.clock.now()));
    setup.clock.advance(21_000);
    expect(await recheckFailover(setup.deps, setup.recheck.tasks[0]!.task)).toEqual({
      kind: 'judged',
      state: null,
      followUp: null,
    });
    expect(await showVm('meet-1')).toBe('vm-001');
    expect(await failoverRecord('meet-1')).toBeNull();
  });

  it('an early delivery is scheduled again; a malformed or stale task changes nothing', async () => {
    const setup = await givenLiveShow();
    await agentGoesOffline(setup);
    const { task } = setup.recheck.tasks[0]!;
    setup.clock.advance(20_000);
    expect(await recheckFailover(setup.deps, task)).toEqual({
      kind: 'rescheduled',
      delaySeconds: 11,
    });
    expect(setup.recheck.tasks[1]).toEqual({ task: { ...task, round: 1 }, delaySeconds: 11 });
    expect(await showVm('meet-1')).toBe('vm-001');
    expect((await recheckFailover(setup.deps, { competitionId: 'meet-1' })).kind).toBe('stale');
    expect((await recheckFailover(setup.deps, { ...task, since: task.since - 1 })).kind).toBe(
      'stale',
    );
    expect((await failoverRecord('meet-1'))?.state).toBe('watching');
  });
});
