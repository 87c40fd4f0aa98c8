import { describe, expect, it } from 'vitest';
import { agent, config as baseConfig, NOW, vm } from '../../../tests/fixtures';
import type { PoolConfig } from '../../contract/pool-config';
import type { ScheduleMark } from '../../contract/schedule';
import { PUSH_ID_PATTERN } from '../../contract/ids';
import type { ScopedAlert } from './alerts';
import {
  planSchedule,
  projectScheduleCost,
  scheduleAlertChanges,
  scheduleRequestId,
  type ScheduledShow,
  type ScheduleInput,
} from './schedule';

const MIN = 60_000;
const HOUR = 60 * MIN;
const START_LEAD = 3 * MIN;
const LAUNCH_LEAD = 6 * MIN;
const leads: ScheduleInput['bootLeadMs'] = (_region, _type, kind) =>
  kind === 'start' ? START_LEAD : LAUNCH_LEAD;

/** The pool cannot launch unless a test passes `launchable`. */
function config(overrides: Partial<PoolConfig> = {}): PoolConfig {
  return baseConfig({
    subnetId: '',
    securityGroupId: '',
    minWarmVMs: 0,
    preWarmMinutes: 30,
    autoReleaseAfterMinutes: 60,
    ...overrides,
  });
}

const launchable = {
  subnetId: 'subnet-0123456789abcdef0',
  securityGroupId: 'sg-0123456789abcdef0',
};

/** A show whose VM must be ready `readyIn` from NOW (30 min pre-warm), lasting 2.5 h. */
function show(
  competitionId: string,
  readyIn: number,
  extra: Partial<ScheduledShow> = {},
): ScheduledShow {
  const startsAt = NOW + readyIn + 30 * MIN;
  return {
    competitionId,
    startsAt,
    endsAt: startsAt + 150 * MIN,
    mark: null,
    markRequestState: null,
    ...extra,
  };
}

function plan(input: Partial<ScheduleInput> & Pick<ScheduleInput, 'shows' | 'vms'>) {
  return planSchedule({ now: NOW, config: config(), bootLeadMs: leads, ...input });
}

const stopped = (vmId: string) => vm({ vmId, status: 'stopped', ec2State: 'stopped' });

describe('planSchedule: assigning before the show', () => {
  it('gives a show six hours away nothing yet, and says how it will be served', () => {
    const result = plan({ shows: [show('far', 6 * HOUR)], vms: [stopped('vm-001')] });
    expect(result.assign).toEqual([]);
    expect(result.marks).toEqual([]);
    expect(result.upcoming).toEqual([
      {
        competitionId: 'far',
        via: 'cold',
        vmId: 'vm-001',
        dueAt: NOW + 6 * HOUR - START_LEAD,
        readyBy: NOW + 6 * HOUR,
      },
    ]);
  });

  it('cold-assigns a stopped VM once its start lead is due before the next run', () => {
    // Due in 30 s: the next run (in 60 s) would be late.
    const due = show('soon', START_LEAD + 30_000);
    const result = plan({ shows: [due], vms: [stopped('vm-001')] });
    const requestId = scheduleRequestId('assign', 'soon', due.startsAt, 1);
    expect(result.assign).toEqual([
      expect.objectContaining({
        competitionId: 'soon',
        requestId,
        attempt: 1,
        via: 'cold',
        vmId: 'vm-001',
        readyBy: NOW + START_LEAD + 30_000,
      }),
    ]);
    expect(result.marks).toEqual([
      {
        competitionId: 'soon',
        mark: { startsAt: due.startsAt, requestId, attempt: 1, at: NOW },
      },
    ]);
    // Due in 90 s: the next run is still in time, so nothing now.
    expect(
      plan({ shows: [show('soon', START_LEAD + 90_000)], vms: [stopped('vm-001')] }).assign,
    ).toEqual([]);
  });

  it('assigns a warm VM just before the window opens, not when a cold start would be due', () => {
    const warm = vm({ vmId: 'vm-002', status: 'available' });
    // A cold start would be due now, so the warm VM is taken for the show and kept running…
    const near = plan({ shows: [show('s', START_LEAD + 30_000)], vms: [warm, stopped('vm-003')] });
    expect(near.assign).toEqual([]);
    expect(near.reservedVmIds).toEqual(['vm-002']);
    expect(near.upcoming[0]).toMatchObject({ via: 'warm', vmId: 'vm-002' });
    // …and assigned one warm-assign lead (60 s) before the window.
    const due = plan({ shows: [show('s', 90_000)], vms: [warm, stopped('vm-003')] });
    expect(due.assign).toEqual([expect.objectContaining({ via: 'warm', vmId: 'vm-002' })]);
    // Far away, the warm VM is not held back: idle auto-stop may stop it.
    const far = plan({ shows: [show('s', 2 * HOUR)], vms: [warm, stopped('vm-003')] });
    expect(far.reservedVmIds).toEqual([]);
    expect(far.upcoming[0]).toMatchObject({ via: 'cold', vmId: 'vm-003' });
  });

  it('launches a new VM for a show when no VM is free and the pool may grow', () => {
    const busy = vm({ vmId: 'vm-001', status: 'assigned', assignedTo: 'other' });
    const shows = [show('s', LAUNCH_LEAD + 30_000)];
    const result = plan({ shows, vms: [busy], config: config(launchable) });
    expect(result.assign).toEqual([expect.objectContaining({ via: 'launch', vmId: null })]);
    // Without launch settings there is no VM: the show waits once its window is near.
    const stuck = plan({ shows: [show('s', 30_000)], vms: [busy] });
    expect(stuck.assign).toEqual([]);
    expect(stuck.waiting).toEqual([expect.objectContaining({ code: 'NO_VM_AVAILABLE' })]);
  });

  it('waits for maxConcurrent, and never asks for more', () => {
    const held = [
      vm({ vmId: 'vm-001', status: 'assigned', assignedTo: 'a' }),
      vm({ vmId: 'vm-002', status: 'in_use', assignedTo: 'b' }),
    ];
    const result = plan({
      shows: [show('s1', 30_000), show('s2', 40_000)],
      vms: [...held, stopped('vm-003'), vm({ vmId: 'vm-004', status: 'available' })],
      config: config({ maxConcurrent: 3 }),
    });
    expect(result.assign.map((entry) => entry.competitionId)).toEqual(['s1']);
    expect(result.waiting).toEqual([
      expect.objectContaining({ competitionId: 's2', code: 'CAPACITY_LIMIT' }),
    ]);
  });

  it('waits for a free VM that is already starting instead of starting another', () => {
    const starting = vm({ vmId: 'vm-005', status: 'starting', ec2State: 'pending' });
    const result = plan({ shows: [show('s', 30_000)], vms: [starting, stopped('vm-001')] });
    expect(result.assign).toEqual([]);
    expect(result.waiting).toEqual([expect.objectContaining({ code: 'STARTING' })]);
    expect(result.reservedVmIds).toEqual(['vm-005']);
  });

  it('ignores shows that have ended and shows with no valid times', () => {
    const ended = show('ended', -4 * HOUR);
    const broken = { ...show('broken', 30_000), endsAt: show('broken', 30_000).startsAt };
    expect(plan({ shows: [ended, broken], vms: [stopped('vm-001')] }).assign).toEqual([]);
  });
});

describe('planSchedule: acting once per show', () => {
  const due = show('s', 30_000);
  const mark = (extra: Partial<ScheduleMark>): ScheduleMark => ({
    startsAt: due.startsAt,
    requestId: scheduleRequestId('assign', 's', due.startsAt, 1),
    attempt: 1,
    at: NOW - 5 * MIN,
    ...extra,
  });
  const vms = [stopped('vm-001')];

  it('remembers a show that already holds a VM (assigned by hand) and leaves it alone', () => {
    const held = vm({ vmId: 'vm-002', status: 'assigned', assignedTo: 's' });
    const result = plan({ shows: [due], vms: [held, ...vms] });
    expect(result.assign).toEqual([]);
    expect(result.marks).toEqual([
      {
        competitionId: 's',
        mark: { startsAt: due.startsAt, requestId: null, attempt: 0, at: NOW },
      },
    ]);
    // After the producer releases it, the schedule does not assign again.
    const released = { ...due, mark: result.marks[0]?.mark ?? null };
    expect(plan({ shows: [released], vms }).assign).toEqual([]);
  });

  it('does not mark a VM held long before the show (it may be released before the window)', () => {
    const early = show('s', 5 * HOUR);
    const held = vm({ vmId: 'vm-002', status: 'assigned', assignedTo: 's' });
    expect(plan({ shows: [early], vms: [held] }).marks).toEqual([]);
  });

  it('waits while its request is in flight and stops once it succeeded', () => {
    for (const state of [null, 'queued', 'running', 'succeeded'] as const) {
      const result = plan({ shows: [{ ...due, mark: mark({}), markRequestState: state }], vms });
      expect(result.assign, String(state)).toEqual([]);
    }
  });

  it('retries a failed request with a new id, at most three times', () => {
    const retry = plan({ shows: [{ ...due, mark: mark({}), markRequestState: 'failed' }], vms });
    expect(retry.assign).toEqual([
      expect.objectContaining({
        attempt: 2,
        requestId: scheduleRequestId('assign', 's', due.startsAt, 2),
      }),
    ]);
    const justFailed = plan({
      shows: [{ ...due, mark: mark({ at: NOW - 1000 }), markRequestState: 'failed' }],
      vms,
    });
    expect(justFailed.assign).toEqual([]);
    const exhausted = plan({
      shows: [{ ...due, mark: mark({ attempt: 3 }), markRequestState: 'failed' }],
      vms,
    });
    expect(exhausted.assign).toEqual([]);
    expect(exhausted.waiting).toEqual([expect.objectContaining({ code: 'GAVE_UP' })]);
  });

  it('treats a mark for another start time as void (the show moved)', () => {
    const moved = { ...due, mark: mark({ startsAt: due.startsAt - 86_400_000, requestId: null }) };
    expect(plan({ shows: [moved], vms }).assign).toEqual([expect.objectContaining({ attempt: 1 })]);
  });
});

describe('planSchedule: conflicts', () => {
  it('names the shows that will not get a VM, days ahead, in a pool warning', () => {
    const day = 3 * 86_400_000;
    const shows = [
      show('first', day, { name: 'Utah at UCLA' }),
      show('second', day + 10 * MIN, { name: 'LSU at Florida' }),
      show('third', day + 20 * MIN, { name: 'Oklahoma at Denver' }),
      show('later', day + 5 * HOUR),
    ];
    const result = plan({
      shows,
      vms: [stopped('vm-001'), stopped('vm-002'), stopped('vm-003')],
      config: config({ maxConcurrent: 2, maxTotalVMs: 3 }),
    });
    expect(result.conflicts).toEqual([
      expect.objectContaining({
        competitionId: 'third',
        name: 'Oklahoma at Denver',
        overlapping: ['first', 'second'],
      }),
    ]);
    expect(result.alerts).toEqual([
      expect.objectContaining({
        scope: 'pool',
        sourceId: 'schedule-conflict-third',
        level: 'warning',
        title: 'No VM for Oklahoma at Denver',
        competitionId: 'third',
      }),
    ]);
    expect(result.alerts[0]?.message).toMatch(/first, second hold them/);
  });

  it('counts the VMs the pool can have: no conflict when a launch can add one', () => {
    const shows = [show('a', HOUR), show('b', HOUR)];
    const oneVm = [stopped('vm-001')];
    expect(plan({ shows, vms: oneVm }).conflicts.map((c) => c.competitionId)).toEqual(['b']);
    expect(plan({ shows, vms: oneVm, config: config(launchable) }).conflicts).toEqual([]);
  });

  it('lets a VM held already keep its show, before earlier shows that do not hold one', () => {
    const shows = [show('early', HOUR), show('holder', 2 * HOUR)];
    const vms = [vm({ vmId: 'vm-001', status: 'assigned', assignedTo: 'holder' })];
    const result = plan({
      shows,
      vms,
      config: config({ maxConcurrent: 1, maxTotalVMs: 1, minWarmVMs: 0 }),
    });
    expect(result.conflicts.map((c) => c.competitionId)).toEqual(['early']);
  });
});

describe('planSchedule: the warm minimum', () => {
  it('applies minWarmVMs while a show is inside its pre-warm window, else the off-schedule one', () => {
    const cfg = config({ minWarmVMs: 2, minWarmVMsOffSchedule: 0 });
    const inWindow = show('s', -10 * MIN);
    expect(plan({ shows: [inWindow], vms: [], config: cfg })).toMatchObject({
      onSchedule: true,
      warmMinimum: 2,
    });
    const live = show('s', -40 * MIN);
    expect(plan({ shows: [live], vms: [], config: cfg })).toMatchObject({
      onSchedule: false,
      warmMinimum: 0,
    });
    expect(plan({ shows: [], vms: [], config: cfg }).warmMinimum).toBe(0);
    expect(plan({ shows: [], vms: [], config: config({ minWarmVMs: 2 }) }).warmMinimum).toBe(2);
  });
});

describe('planSchedule: auto-release', () => {
  const over = show('s', -4 * HOUR, { name: 'Utah at UCLA' }); // ended 1 h 10 min ago
  const heldVm = (extra = {}) =>
    vm({ vmId: 'vm-001', status: 'assigned', assignedTo: 's', agent: agent(), ...extra });

  it('releases a show’s VM after endsAt + autoReleaseAfterMinutes and stops it', () => {
    const result = plan({ shows: [over], vms: [heldVm()] });
    expect(result.release).toEqual([
      expect.objectContaining({
        competitionId: 's',
        vmId: 'vm-001',
        stopVM: true,
        requestId: scheduleRequestId('release', 's', over.endsAt),
      }),
    ]);
  });

  it('waits for the grace, and never releases with auto-release off', () => {
    const justEnded = show('s', -3 * HOUR); // ended 40 min ago, grace 60
    expect(plan({ shows: [justEnded], vms: [heldVm()] }).release).toEqual([]);
    const off = config({ autoReleaseAfterMinutes: 0 });
    expect(plan({ shows: [over], vms: [heldVm()], config: off }).release).toEqual([]);
  });

  it('keeps a VM that is still streaming or recording and reports the show running late', () => {
    const streaming = agent({
      show: { ...agent().show!, obsIsStreaming: false, obsIsRecording: true },
    });
    for (const vmNow of [heldVm({ status: 'in_use' }), heldVm({ agent: streaming })]) {
      const result = plan({ shows: [over], vms: [vmNow] });
      expect(result.release).toEqual([]);
      expect(result.runningLate).toEqual([
        { competitionId: 's', vmId: 'vm-001', endsAt: over.endsAt },
      ]);
      expect(result.alerts).toEqual([
        expect.objectContaining({
          scope: 's',
          sourceId: 'show-running-late-s',
          level: 'info',
          title: 'Utah at UCLA is running late',
        }),
      ]);
    }
  });

  it('releases a show that went off air in its last 30 min once the grace has passed', () => {
    // Started 2 h ago, ends in 30 min; assigned 3 h ago.
    const live = show('s', -150 * MIN);
    const offAir = (at: number) =>
      heldVm({ assignedAt: NOW - 3 * HOUR, statusChangedAt: at, status: 'assigned' });
    // Off air 70 min ago (at 1 h 10 min before the end): a break, not the end.
    expect(plan({ shows: [live], vms: [offAir(NOW - 70 * MIN)] }).release).toEqual([]);
    // Off air 20 min ago (50 min before the end): also a break.
    expect(plan({ shows: [live], vms: [offAir(NOW - 20 * MIN)] }).release).toEqual([]);
    const nearEnd = show('s', -(150 + 25) * MIN); // ends in 5 min
    const ended = plan({ shows: [nearEnd], vms: [offAir(NOW - 61 * MIN)] });
    expect(ended.release).toEqual([]); // off air 66 min before the end: outside the window
    const shortGrace = config({ autoReleaseAfterMinutes: 2 });
    const early = plan({ shows: [nearEnd], vms: [offAir(NOW - 3 * MIN)], config: shortGrace });
    expect(early.release).toEqual([
      expect.objectContaining({ competitionId: 's', vmId: 'vm-001' }),
    ]);
    // Not yet past the grace, or streaming again, or never off air after the start: kept.
    expect(
      plan({ shows: [nearEnd], vms: [offAir(NOW - 1 * MIN)], config: shortGrace }).release,
    ).toEqual([]);
    const streamingAgain = heldVm({
      assignedAt: NOW - 3 * HOUR,
      statusChangedAt: NOW - 3 * MIN,
      agent: agent({ show: { ...agent().show!, obsIsStreaming: true } }),
    });
    expect(plan({ shows: [nearEnd], vms: [streamingAgain], config: shortGrace }).release).toEqual(
      [],
    );
    const neverLive = heldVm({ assignedAt: NOW - 3 * MIN, statusChangedAt: NOW - 3 * MIN });
    expect(plan({ shows: [nearEnd], vms: [neverLive], config: shortGrace }).release).toEqual([]);
  });

  it('leaves a VM that is already releasing alone', () => {
    expect(plan({ shows: [over], vms: [heldVm({ status: 'releasing' })] }).release).toEqual([]);
  });

  it('keeps the VM running when another show would otherwise cold-start one soon', () => {
    const next = show('next', START_LEAD + 90_000);
    const result = plan({ shows: [over, next], vms: [heldVm(), stopped('vm-002')] });
    expect(result.release).toEqual([expect.objectContaining({ stopVM: false })]);
  });

  it('keeps it running for the warm minimum', () => {
    const result = plan({ shows: [over], vms: [heldVm()], config: config({ minWarmVMs: 1 }) });
    expect(result.release).toEqual([expect.objectContaining({ stopVM: false })]);
  });
});

describe('scheduleAlertChanges', () => {
  const open = (sourceId: string, extra: Partial<ScopedAlert> = {}): ScopedAlert => ({
    scope: 'pool',
    id: `id-${sourceId}`,
    level: 'warning',
    category: 'vm',
    title: 't',
    message: 'm',
    timestamp: NOW,
    createdAt: NOW,
    sourceId,
    acknowledged: false,
    acknowledgedBy: null,
    acknowledgedAt: null,
    resolved: false,
    resolvedAt: null,
    autoResolve: true,
    ...extra,
  });

  it('creates conditions not yet open, resolves its own cleared ones, leaves others alone', () => {
    const shows = [show('a', HOUR), show('b', HOUR)];
    const current = plan({ shows, vms: [stopped('vm-001')] });
    const changes = scheduleAlertChanges(current, [
      open('schedule-conflict-gone'),
      open('show-running-late-x', { scope: 'x' }),
      open('pool-low'),
      open('schedule-conflict-kept', { autoResolve: false }),
    ]);
    expect(changes.create.map((draft) => draft.sourceId)).toEqual(['schedule-conflict-b']);
    expect(changes.resolve).toEqual([
      { scope: 'pool', alertId: 'id-schedule-conflict-gone', sourceId: 'schedule-conflict-gone' },
      { scope: 'x', alertId: 'id-show-running-late-x', sourceId: 'show-running-late-x' },
    ]);
    const again = scheduleAlertChanges(current, [open('schedule-conflict-b')]);
    expect(again).toEqual({ create: [], resolve: [] });
  });
});

describe('scheduleRequestId', () => {
  it('is stable, a valid request id, and at most 64 characters for any competition id', () => {
    const long = 'x'.repeat(128);
    const id = scheduleRequestId('assign', long, NOW, 3);
    expect(id).toBe(scheduleRequestId('assign', long, NOW, 3));
    expect(id).toMatch(PUSH_ID_PATTERN);
    expect(id.length).toBeLessThanOrEqual(64);
    expect(scheduleRequestId('release', long, NOW)).not.toBe(
      scheduleRequestId('assign', long, NOW),
    );
    expect(scheduleRequestId('assign', 'a_b', NOW)).not.toBe(
      scheduleRequestId('assign', 'ab', NOW),
    );
  });
});

describe('projectScheduleCost', () => {
  it('prices the VM time the schedule will hold for shows that have not ended', () => {
    const upcoming = show('s', 2 * HOUR);
    const [projection, ...rest] = projectScheduleCost({
      now: NOW,
      shows: [upcoming, show('ended', -5 * HOUR)],
      config: config({ instanceType: 'g4dn.xlarge', autoReleaseAfterMinutes: 10 }),
      bootLeadMs: leads,
    });
    expect(rest).toEqual([]);
    // 3 min lead + 30 min pre-warm + 150 min show + 10 min grace.
    expect(projection?.hours).toBeCloseTo(193 / 60, 6);
    expect(projection?.usd).toBeCloseTo((193 / 60) * 0.53, 5);
    const unpriced = projectScheduleCost({
      now: NOW,
      shows: [upcoming],
      config: config({ instanceType: 'c5.xlarge' }),
      bootLeadMs: leads,
    });
    expect(unpriced[0]?.usd).toBeNull();
  });
});
