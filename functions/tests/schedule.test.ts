import { describe, expect, it } from 'vitest';
import {
  costMonthOf,
  paths,
  SCHEDULE_REQUESTER,
  scheduleRequestId,
  type PoolConfig,
} from '@vmpool/core';
import type { Database } from 'firebase-admin/database';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { runQueuedCommands } from './support/agent-commands';
import { T0 } from './support/deps';
import { agentReport, readResult, readVm, REGION, request, submit } from './support/fixtures';
import { agentReports, givenPool, QUIET_POOL } from './support/pool';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();
const MIN = 60_000;
const HOUR = 60 * MIN;

/** The local check, with short times: a cold boot of 20 s and a 3-minute pre-warm. */
const SHORT_SCHEDULE: Partial<PoolConfig> = {
  ...QUIET_POOL,
  warmupTimeSeconds: 20,
  preWarmMinutes: 3,
  autoReleaseAfterMinutes: 2,
};

async function schedule(db: Database, competitionId: string, startsAt: number, endsAt: number) {
  await db.ref(paths.competitionConfig(competitionId)).update({ startsAt, endsAt });
}

async function scheduleRequests(db: Database) {
  const all = ((await db.ref(paths.requests()).get()).val() ?? {}) as Record<
    string,
    { action: string; competitionId: string; requestedBy: string; options?: unknown }
  >;
  return Object.entries(all)
    .filter(([, row]) => row.requestedBy === SCHEDULE_REQUESTER)
    .map(([requestId, row]) => ({ requestId, ...row }));
}

/** The VM's agent reports in at the clock's time (as it would every few seconds). */
async function heartbeat(db: Database, vmId: string, now: number, streaming = false) {
  const report = agentReport(now, { startedAt: now - 1000 });
  await db
    .ref(paths.vmAgent(vmId))
    .set({ ...report, show: { ...report.show, obsIsStreaming: streaming, checkedAt: now } });
}

async function competitionConfig(db: Database, competitionId: string) {
  return (await db.ref(paths.competitionConfig(competitionId)).get()).val() as Record<
    string,
    unknown
  >;
}

async function openAlerts(db: Database, scope: string) {
  return Object.values(
    ((await db.ref(paths.alerts(scope)).get()).val() ?? {}) as Record<
      string,
      { sourceId: string; level: string; resolved: boolean; message: string }
    >,
  ).filter((alert) => !alert.resolved);
}

describe('the show schedule in reconcile', () => {
  it('has a cold VM ready for a show in 2 min (3-min pre-warm, 20 s boot) with no click; a show 6 h away gets none', async () => {
    const { clock, deps } = await givenPool(env.admin.db, {
      config: SHORT_SCHEDULE,
      competitions: ['soon', 'later'],
      vms: { 'vm-001': 'stopped', 'vm-002': 'stopped' },
    });
    await schedule(env.admin.db, 'soon', T0 + 2 * MIN + 1000, T0 + 60 * MIN);
    await schedule(env.admin.db, 'later', T0 + 6 * HOUR, T0 + 8 * HOUR);

    clock.advance(1000); // the VMs were stopped before this reconcile
    const report = await reconcile(deps);
    expect(report.scheduledAssigns).toBe(1);
    const requests = await scheduleRequests(env.admin.db);
    const assignId = scheduleRequestId('assign', 'soon', T0 + 2 * MIN + 1000);
    expect(requests).toEqual([
      expect.objectContaining({ requestId: assignId, action: 'assign', competitionId: 'soon' }),
    ]);
    // Progress is visible like any request's: a cold start waiting for the agent.
    expect(await readResult(env.admin.db, assignId)).toMatchObject({ state: 'running' });
    const starting = await readVm(env.admin.db, 'vm-001');
    expect(starting).toMatchObject({ status: 'starting', assignedTo: 'soon' });
    const mark = (await env.admin.db.ref(paths.scheduleMark('soon')).get()).val();
    expect(mark).toMatchObject({ startsAt: T0 + 2 * MIN + 1000, requestId: assignId, attempt: 1 });

    // The agent comes up 20 s later: the VM is handed over, no one clicked anything.
    clock.advance(20_000);
    await heartbeat(env.admin.db, 'vm-001', clock.now());
    await agentReports(deps, env.admin.db, 'vm-001', agentReport(clock.now()));
    expect(await readResult(env.admin.db, assignId)).toMatchObject({ state: 'succeeded' });

    // Reconcile runs again (and again) before the show: nothing new is asked for.
    clock.advance(MIN);
    await reconcile(deps);
    clock.advance(40_000);
    await reconcile(deps);
    expect(await scheduleRequests(env.admin.db)).toHaveLength(1);
    expect(clock.now()).toBe(T0 + 2 * MIN + 1000);
    const vm = await readVm(env.admin.db, 'vm-001');
    expect(vm).toMatchObject({ status: 'assigned', assignedTo: 'soon' });
    expect((vm?.agent as { online: boolean }).online).toBe(true);
    const soon = await competitionConfig(env.admin.db, 'soon');
    expect(soon.vmId).toBe('vm-001');
    expect(soon.vmAddress).toMatch(/^[\d.]+:3003$/);
    const later = await competitionConfig(env.admin.db, 'later');
    expect(later.vmId).toBeUndefined();
    expect(await readVm(env.admin.db, 'vm-002')).toMatchObject({ status: 'stopped' });

    // The boot time was measured for the region and instance type.
    const stats = (await env.admin.db.ref(paths.bootStatsFor(REGION, 't3.large')).get()).val();
    expect(stats).toMatchObject({ start: [20], updatedAt: T0 + 21_000 });
  });

  it('releases a show past endsAt + autoReleaseAfterMinutes that is not streaming, once', async () => {
    const { clock, deps } = await givenPool(env.admin.db, {
      config: SHORT_SCHEDULE,
      competitions: ['meet-1'],
      vms: { 'vm-001': 'available' },
    });
    await schedule(env.admin.db, 'meet-1', T0 + 10 * MIN, T0 + 30 * MIN);
    await reconcile(deps); // too early: nothing yet
    expect(await scheduleRequests(env.admin.db)).toHaveLength(0);
    clock.set(T0 + 6 * MIN);
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ assignedTo: 'meet-1' });

    clock.set(T0 + 31 * MIN); // past endsAt, inside the 2-minute grace
    await heartbeat(env.admin.db, 'vm-001', clock.now());
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'assigned' });

    clock.set(T0 + 32 * MIN + 1);
    await heartbeat(env.admin.db, 'vm-001', clock.now());
    const report = await reconcile(deps);
    expect(report.scheduledReleases).toBe(1);
    const releaseId = scheduleRequestId('release', 'meet-1', T0 + 30 * MIN);
    const row = (await env.admin.db.ref(paths.request(releaseId)).get()).val();
    expect(row).toMatchObject({
      action: 'release',
      requestedBy: SCHEDULE_REQUESTER,
      options: { archiveRecordings: true },
    });
    expect(await runQueuedCommands(env.admin.db, deps, 'vm-001')).toContain('archive_recordings');
    expect(await readResult(env.admin.db, releaseId)).toMatchObject({ state: 'succeeded' });
    expect((await competitionConfig(env.admin.db, 'meet-1')).vmId).toBeUndefined();
    expect((await readVm(env.admin.db, 'vm-001'))?.assignedTo).toBeUndefined();

    // The schedule acts once per show: no new assign or release afterwards.
    clock.advance(MIN);
    await reconcile(deps);
    expect((await scheduleRequests(env.admin.db)).map((r) => r.action).sort()).toEqual([
      'assign',
      'release',
    ]);
  });

  it('keeps a show that is still streaming past its end and says it is running late', async () => {
    const { clock, deps } = await givenPool(env.admin.db, {
      config: SHORT_SCHEDULE,
      competitions: ['meet-1'],
      vms: { 'vm-001': 'available' },
    });
    await schedule(env.admin.db, 'meet-1', T0 + 2 * MIN, T0 + 20 * MIN);
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ assignedTo: 'meet-1' });
    clock.set(T0 + 5 * MIN);
    await agentReports(
      deps,
      env.admin.db,
      'vm-001',
      agentReport(clock.now(), {
        show: { ...agentReport(clock.now()).show!, obsIsStreaming: true },
      }),
    );
    clock.set(T0 + 30 * MIN);
    await heartbeat(env.admin.db, 'vm-001', clock.now(), true);
    const report = await reconcile(deps);
    expect(report.scheduledReleases).toBe(0);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ assignedTo: 'meet-1' });
    const late = await openAlerts(env.admin.db, 'meet-1');
    expect(late).toEqual([
      expect.objectContaining({ sourceId: 'show-running-late-meet-1', level: 'info' }),
    ]);

    // The stream stops: the alert resolves and the VM is released.
    await heartbeat(env.admin.db, 'vm-001', clock.now());
    await agentReports(deps, env.admin.db, 'vm-001', agentReport(clock.now()));
    await reconcile(deps);
    expect(await openAlerts(env.admin.db, 'meet-1')).toEqual([]);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'releasing' });
  });

  it('names the shows that will not get a VM in a warning, early', async () => {
    const { deps } = await givenPool(env.admin.db, {
      config: { ...SHORT_SCHEDULE, maxTotalVMs: 2, maxConcurrent: 1 },
      competitions: ['first', 'second'],
      vms: { 'vm-001': 'stopped' },
    });
    await schedule(env.admin.db, 'first', T0 + 3 * 24 * HOUR, T0 + 3 * 24 * HOUR + 2 * HOUR);
    await schedule(
      env.admin.db,
      'second',
      T0 + 3 * 24 * HOUR + HOUR,
      T0 + 3 * 24 * HOUR + 3 * HOUR,
    );
    const report = await reconcile(deps);
    expect(report.scheduleConflicts).toBe(1);
    const alerts = await openAlerts(env.admin.db, 'pool');
    const conflict = alerts.find((alert) => alert.sourceId === 'schedule-conflict-second');
    expect(conflict?.level).toBe('warning');
    expect(conflict?.message).toContain('second');
    expect(alerts.some((alert) => alert.sourceId === 'schedule-conflict-first')).toBe(false);
    // Nothing is assigned three days ahead.
    expect(await scheduleRequests(env.admin.db)).toHaveLength(0);
    // The show moves: the conflict clears and its alert resolves.
    await schedule(env.admin.db, 'second', T0 + 5 * 24 * HOUR, T0 + 5 * 24 * HOUR + HOUR);
    await reconcile(deps);
    expect(
      (await openAlerts(env.admin.db, 'pool')).some((a) => a.sourceId.startsWith('schedule-')),
    ).toBe(false);
  });

  it('uses the off-schedule warm minimum outside pre-warm windows and minWarmVMs inside one', async () => {
    const { clock, deps } = await givenPool(env.admin.db, {
      config: { ...SHORT_SCHEDULE, minWarmVMs: 1, minWarmVMsOffSchedule: 0 },
      competitions: ['meet-1'],
      vms: { 'vm-001': 'stopped', 'vm-002': 'stopped' },
    });
    await schedule(env.admin.db, 'meet-1', T0 + 2 * HOUR, T0 + 3 * HOUR);
    const off = await reconcile(deps);
    expect(off.warmMinimum).toBe(0);
    expect(off.started).toBe(0);
    clock.set(T0 + 2 * HOUR - 2 * MIN);
    const on = await reconcile(deps);
    expect(on.warmMinimum).toBe(1);
    // The show's VM (a cold start held by it) and one more kept warm.
    expect(on.scheduledAssigns).toBe(1);
    expect(on.started).toBe(1);
  });

  it('treats the schedule requester as the control plane, and only that name', async () => {
    const { deps } = await givenPool(env.admin.db, {
      config: QUIET_POOL,
      competitions: ['meet-1'],
      vms: { 'vm-001': 'available' },
    });
    // A start is admin-only; the schedule's name is authorised like the control plane.
    await submit(deps, env.admin.db, 's1', request('stop', { vmId: 'vm-001' }, SCHEDULE_REQUESTER));
    expect((await readResult(env.admin.db, 's1'))?.state).not.toBe('failed');
    await submit(deps, env.admin.db, 's2', request('start', { vmId: 'vm-001' }, 'someone-else'));
    expect(await readResult(env.admin.db, 's2')).toMatchObject({
      state: 'failed',
      error: { code: 'FORBIDDEN' },
    });
  });
});

describe('status history and cost', () => {
  it('appends an entry on every status change and rolls the month up by show, VM and idle', async () => {
    const { clock, deps } = await givenPool(env.admin.db, {
      config: QUIET_POOL,
      competitions: ['meet-1'],
      vms: { 'vm-001': 'available' },
    });
    // The VM was written without its history (as by a crash between the two writes):
    // reconcile closes the gap with an entry for the status it is in.
    expect((await reconcile(deps)).historyRepaired).toBe(1);
    expect((await reconcile(deps)).historyRepaired).toBe(0);
    clock.advance(HOUR);
    await submit(deps, env.admin.db, 'a1', request('assign', { competitionId: 'meet-1' }));
    clock.advance(2 * HOUR);
    await heartbeat(env.admin.db, 'vm-001', clock.now());
    await submit(
      deps,
      env.admin.db,
      'r1',
      request('release', { competitionId: 'meet-1', options: { stopVM: true } }),
    );
    await runQueuedCommands(env.admin.db, deps, 'vm-001');
    const history = Object.values(
      ((await env.admin.db.ref(paths.vmStatusHistory('vm-001')).get()).val() ?? {}) as Record<
        string,
        { status: string; assignedTo: string | null; cause: string; at: number }
      >,
    ).sort((a, b) => a.at - b.at);
    expect(history.map((entry) => entry.status)).toEqual(
      expect.arrayContaining(['assigned', 'releasing', 'stopping']),
    );
    expect(history.find((entry) => entry.status === 'assigned')).toMatchObject({
      assignedTo: 'meet-1',
      cause: 'assign',
      at: T0 + HOUR,
    });

    clock.advance(HOUR);
    await reconcile(deps);
    const month = costMonthOf(clock.now());
    const cost = (await env.admin.db.ref(paths.monthlyCost(month)).get()).val();
    // Assigned for 2 h at t3.large's $0.08: $0.16 for meet-1.
    expect(cost.competitions['meet-1'].usd).toBeCloseTo(0.16, 2);
    expect(cost.competitions['meet-1'].vms['vm-001'].billableSeconds).toBeCloseTo(7200, -1);
    expect(cost.vms['vm-001'].instanceType).toBe('t3.large');
    // The hour before the assign was idle (warm, no show), at the same price.
    expect(cost.idle.usd).toBeCloseTo(0.08, 2);
    expect(cost.vms['vm-001'].idleSeconds).toBeGreaterThanOrEqual(3600);
  });
});
