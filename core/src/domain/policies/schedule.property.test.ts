// Properties of the schedule planner: it never asks for more than the pool's maximums, it is
// never late when the pool has the capacity, and running it again on the world its own
// decisions made asks for nothing new.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../bench/season/rng';
import type { SeasonShow } from '../../../bench/season/season';
import { simulateSeason } from '../../../bench/season/sim';
import { agent, config as baseConfig, NOW, vm } from '../../../tests/fixtures';
import type { PoolConfig } from '../../contract/pool-config';
import type { RequestState } from '../../contract/request';
import type { VmRecord, VmStatus } from '../../contract/vm-record';
import { holdsAssignment } from '../vm-status';
import { heldAssignments } from './allocation';
import {
  planSchedule,
  type ScheduledShow,
  type ScheduleInput,
  type SchedulePlan,
} from './schedule';

const MIN = 60_000;
const HOUR = 60 * MIN;
const leads: ScheduleInput['bootLeadMs'] = (_region, _type, kind) =>
  kind === 'start' ? 4 * MIN : 7 * MIN;

const COMPETITIONS = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];

const configArb: fc.Arbitrary<PoolConfig> = fc
  .record({
    maxTotalVMs: fc.integer({ min: 1, max: 6 }),
    concurrentShare: fc.double({ min: 0, max: 1, noNaN: true }),
    minWarmVMs: fc.integer({ min: 0, max: 2 }),
    preWarmMinutes: fc.integer({ min: 1, max: 60 }),
    autoReleaseAfterMinutes: fc.constantFrom(0, 1, 30, 60),
    launch: fc.boolean(),
  })
  .map(({ maxTotalVMs, concurrentShare, minWarmVMs, launch, ...rest }) =>
    baseConfig({
      ...rest,
      maxTotalVMs,
      maxConcurrent: Math.max(1, Math.round(concurrentShare * maxTotalVMs)),
      minWarmVMs: Math.min(minWarmVMs, maxTotalVMs),
      ...(launch
        ? { subnetId: 'subnet-0123456789abcdef0', securityGroupId: 'sg-0123456789abcdef0' }
        : {}),
    }),
  );

type VmShape = { status: VmStatus; held: string | null; live: boolean };
const HELD_STATUSES: VmStatus[] = ['assigned', 'in_use', 'releasing', 'starting', 'error'];
const FREE_STATUSES: VmStatus[] = [
  'available',
  'stopped',
  'starting',
  'stopping',
  'maintenance',
  'error',
];
const vmShapeArb: fc.Arbitrary<VmShape> = fc.oneof(
  fc.record({
    status: fc.constantFrom(...FREE_STATUSES),
    held: fc.constant(null),
    live: fc.constant(false),
  }),
  fc.record({
    status: fc.constantFrom(...HELD_STATUSES),
    held: fc.constantFrom(...COMPETITIONS, 'unscheduled'),
    live: fc.boolean(),
  }),
);

function makeVms(shapes: readonly VmShape[]): VmRecord[] {
  const taken = new Set<string>();
  return shapes.map((shape, index) => {
    // One VM per competition: a second VM held by the same one is left free.
    const held = shape.held !== null && !taken.has(shape.held) ? shape.held : null;
    if (held !== null) taken.add(held);
    const status: VmStatus =
      held === null && HELD_STATUSES.slice(0, 3).includes(shape.status)
        ? 'available'
        : shape.status;
    const base = agent();
    return vm({
      vmId: `vm-${String(index + 1).padStart(3, '0')}`,
      status,
      ec2State: status === 'stopped' ? 'stopped' : 'running',
      assignedTo: held,
      agent:
        status === 'stopped'
          ? null
          : agent({ show: { ...base.show!, obsIsStreaming: shape.live, obsIsRecording: false } }),
    });
  });
}

const showArb = fc.record({
  competitionId: fc.constantFrom(...COMPETITIONS),
  startIn: fc.integer({ min: -6 * 60, max: 12 * 60 }).map((minutes) => minutes * MIN),
  length: fc.integer({ min: 30, max: 240 }).map((minutes) => minutes * MIN),
  mark: fc.option(
    fc.record({
      requestId: fc.option(fc.constant('sched-req'), { nil: null }),
      attempt: fc.integer({ min: 0, max: 3 }),
      ago: fc.integer({ min: 0, max: 10 * MIN }),
      state: fc.constantFrom<RequestState | null>(null, 'queued', 'running', 'succeeded', 'failed'),
    }),
    { nil: null },
  ),
});

const worldArb = fc.record({
  config: configArb,
  vms: fc.array(vmShapeArb, { maxLength: 6 }),
  shows: fc.array(showArb, { maxLength: 7 }),
});

type World = typeof worldArb extends fc.Arbitrary<infer W> ? W : never;

function makeShows(raw: World['shows']): ScheduledShow[] {
  return raw.map((entry) => {
    const startsAt = NOW + entry.startIn;
    return {
      competitionId: entry.competitionId,
      startsAt,
      endsAt: startsAt + entry.length,
      mark:
        entry.mark === null
          ? null
          : {
              startsAt,
              requestId: entry.mark.requestId,
              attempt: entry.mark.requestId === null ? 0 : Math.max(1, entry.mark.attempt),
              at: NOW - entry.mark.ago,
            },
      markRequestState: entry.mark?.requestId == null ? null : entry.mark.state,
    };
  });
}

/** The world after the control plane carried the plan out (requests not yet finished). */
function applied(vms: readonly VmRecord[], shows: readonly ScheduledShow[], plan: SchedulePlan) {
  const next = vms.map((record) => ({ ...record }));
  for (const decision of plan.assign) {
    const held = { assignedTo: decision.competitionId, requestId: decision.requestId };
    if (decision.via === 'launch') {
      next.push(
        vm({ vmId: `vm-new-${next.length}`, status: 'starting', ec2State: 'pending', ...held }),
      );
      continue;
    }
    const target = next.find((record) => record.vmId === decision.vmId);
    if (target === undefined) throw new Error(`assign to unknown ${decision.vmId}`);
    Object.assign(target, held, { status: decision.via === 'warm' ? 'assigned' : 'starting' });
  }
  for (const decision of plan.release) {
    const target = next.find((record) => record.vmId === decision.vmId);
    if (target !== undefined) target.status = 'releasing';
  }
  const marks = new Map(plan.marks.map((write) => [write.competitionId, write.mark]));
  const nextShows = shows.map((show) => {
    const mark = marks.get(show.competitionId);
    return mark === undefined ? show : { ...show, mark, markRequestState: null };
  });
  return { vms: next, shows: nextShows };
}

// Generous timeouts: a few seconds alone, much more on a busy shared machine.
describe('planSchedule properties', { timeout: 60_000 }, () => {
  it('never asks for more than maxConcurrent assignments or maxTotalVMs VMs, nor for the impossible', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const vms = makeVms(world.vms.slice(0, world.config.maxTotalVMs));
        const shows = makeShows(world.shows);
        const plan = planSchedule({
          now: NOW,
          shows,
          vms,
          config: world.config,
          bootLeadMs: leads,
        });
        const held = heldAssignments(vms);
        if (held <= world.config.maxConcurrent) {
          expect(held + plan.assign.length).toBeLessThanOrEqual(world.config.maxConcurrent);
        }
        const launches = plan.assign.filter((decision) => decision.via === 'launch').length;
        expect(vms.length + launches).toBeLessThanOrEqual(world.config.maxTotalVMs);

        const competitions = plan.assign.map((decision) => decision.competitionId);
        expect(new Set(competitions).size).toBe(competitions.length);
        const vmIds = plan.assign.flatMap((decision) =>
          decision.vmId === null ? [] : [decision.vmId],
        );
        expect(new Set(vmIds).size).toBe(vmIds.length);
        for (const decision of plan.assign) {
          const show = shows.find((entry) => entry.competitionId === decision.competitionId);
          expect(show === undefined ? false : NOW < show.endsAt).toBe(true);
          expect(
            vms.some(
              (record) => record.assignedTo === decision.competitionId && holdsAssignment(record),
            ),
          ).toBe(false);
          if (decision.vmId !== null) {
            const target = vms.find((record) => record.vmId === decision.vmId);
            expect(target?.assignedTo).toBeNull();
            expect(target?.status).toBe(decision.via === 'warm' ? 'available' : 'stopped');
          }
        }
        for (const decision of plan.release) {
          const target = vms.find((record) => record.vmId === decision.vmId);
          const show = shows.find((entry) => entry.competitionId === decision.competitionId);
          expect(world.config.autoReleaseAfterMinutes).toBeGreaterThan(0);
          expect(target?.assignedTo).toBe(decision.competitionId);
          expect(target?.status).not.toBe('in_use');
          expect(target?.agent?.show?.obsIsStreaming ?? false).toBe(false);
          expect(NOW).toBeGreaterThanOrEqual(
            (show?.endsAt ?? Infinity) + world.config.autoReleaseAfterMinutes * MIN,
          );
        }
      }),
      { numRuns: 400 },
    );
  });

  it('is idempotent: on the world its own decisions made, it asks for nothing new', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const vms = makeVms(world.vms.slice(0, world.config.maxTotalVMs));
        const shows = makeShows(world.shows);
        const input = { now: NOW, config: world.config, bootLeadMs: leads };
        const first = planSchedule({ ...input, shows, vms });
        const after = applied(vms, shows, first);
        const second = planSchedule({ ...input, ...after });
        expect(second.assign).toEqual([]);
        expect(second.release).toEqual([]);
        expect(second.marks).toEqual([]);
        // And the same input gives the same plan.
        expect(planSchedule({ ...input, shows, vms })).toEqual(first);
      }),
      { numRuns: 400 },
    );
  });
});

describe(
  'planSchedule over time (the season simulator, core policies only)',
  { timeout: 180_000 },
  () => {
    it('is never late when the pool can serve every overlap, and never exceeds its maximums', () => {
      const scenarioArb = fc.record({
        seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        vmCount: fc.integer({ min: 1, max: 4 }),
        preWarmMinutes: fc.integer({ min: 1, max: 45 }),
        autoReleaseAfterMinutes: fc.integer({ min: 1, max: 30 }),
        shows: fc.array(
          fc.record({
            startIn: fc.integer({ min: 0, max: 40 * 60 }),
            length: fc.integer({ min: 60, max: 180 }),
            endsEarly: fc.integer({ min: 0, max: 20 }),
          }),
          { minLength: 1, maxLength: 8 },
        ),
      });
      fc.assert(
        fc.property(scenarioArb, (scenario) => {
          const from = Date.UTC(2027, 1, 5);
          const shows: SeasonShow[] = scenario.shows.map((raw, index) => {
            // Every show is announced at least ten minutes before its VM must be ready.
            const startsAt = from + (scenario.preWarmMinutes + 10 + raw.startIn) * MIN;
            const endsAt = startsAt + raw.length * MIN;
            return {
              competitionId: `show-${index}`,
              name: `Show ${index}`,
              startsAt,
              endsAt,
              actualEnd: endsAt - raw.endsEarly * MIN,
            };
          });
          const config = baseConfig({
            minWarmVMs: 0,
            maxTotalVMs: scenario.vmCount,
            maxConcurrent: scenario.vmCount,
            preWarmMinutes: scenario.preWarmMinutes,
            autoReleaseAfterMinutes: scenario.autoReleaseAfterMinutes,
            warmupTimeSeconds: 180,
          });
          // Capacity allows: never more shows overlapping than VMs, each counted from ten
          // minutes before its ready-by time to ten minutes after its auto-release.
          const pad = 10 * MIN;
          const span = (show: SeasonShow) => ({
            from: show.startsAt - scenario.preWarmMinutes * MIN - pad,
            to: show.endsAt + scenario.autoReleaseAfterMinutes * MIN + pad,
          });
          const fits = shows.every((show) => {
            const at = span(show).from;
            return (
              shows.filter((other) => span(other).from <= at && span(other).to > at).length <=
              scenario.vmCount
            );
          });
          fc.pre(fits);
          const rng = new Rng(scenario.seed);
          const result = simulateSeason({
            policy: 'vmpool',
            shows,
            from,
            to: Math.max(...shows.map((show) => show.endsAt)) + 3 * HOUR,
            config,
            poolSize: scenario.vmCount,
            compute: {
              // Within the default lead (180 s + 60 s) and any lead measured from these.
              bootSeconds: () => rng.int(120, 180),
              releaseSeconds: () => rng.int(60, 180),
              stopSeconds: () => rng.int(30, 60),
              warmAssignSeconds: () => rng.int(3, 10),
            },
            setupLeadMs: scenario.preWarmMinutes * MIN,
            producerReleaseDelayMs: () => 0,
            tickMs: MIN,
          });
          expect(result.shows.filter((show) => show.waitMs > 0)).toEqual([]);
          expect(result.shows.filter((show) => show.conflict)).toEqual([]);
          expect(result.maxHeld).toBeLessThanOrEqual(config.maxConcurrent);
          expect(result.maxVms).toBeLessThanOrEqual(config.maxTotalVMs);
        }),
        { numRuns: 25 },
      );
    });
  },
);
