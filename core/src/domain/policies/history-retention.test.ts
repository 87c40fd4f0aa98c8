// Status history retention: pruning never changes a bill that is still computed from the
// history, never removes time a final rollup has not counted, and stays within its batch.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { costMonthOf, costMonthRange } from '../../contract/costs';
import type { StatusHistoryEntry, VmStatusHistory } from '../../contract/status-history';
import { VM_STATUSES } from '../../contract/vm-record';
import { costMonthsBetween, monthlyCost } from './cost';
import { planHistoryPrune, retentionMonthsToCheck } from './history-retention';
import { priceLookup } from './pricing';

const DAY = 86_400_000;
const FROM = Date.UTC(2026, 9, 20);
const NOW = Date.UTC(2027, 3, 10, 12);
const prices = priceLookup({ hourlyPrices: {} });

function entry(at: number, status: StatusHistoryEntry['status'], assignedTo: string | null = null) {
  return {
    at,
    status,
    ec2State:
      status === 'stopped' ? 'stopped' : status === 'terminating' ? 'terminated' : 'running',
    assignedTo,
    instanceType: 't3.large',
    region: 'us-east-1',
    cause: 'test',
  } satisfies StatusHistoryEntry;
}

function without(
  histories: readonly VmStatusHistory[],
  pruned: { vmId: string; entry: StatusHistoryEntry }[],
) {
  return histories.map((history) => ({
    vmId: history.vmId,
    entries: history.entries.filter(
      (e) => !pruned.some((p) => p.vmId === history.vmId && p.entry === e),
    ),
  }));
}

const entryArb: fc.Arbitrary<StatusHistoryEntry> = fc.record({
  at: fc.integer({ min: FROM, max: NOW }),
  status: fc.constantFrom(...VM_STATUSES),
  ec2State: fc.constantFrom('running' as const, 'stopped' as const, 'terminated' as const),
  assignedTo: fc.option(fc.constantFrom('comp-a', 'comp-b'), { nil: null }),
  instanceType: fc.constant('t3.large'),
  region: fc.constant('us-east-1'),
  cause: fc.constant('test'),
});
const historiesArb = fc
  .array(fc.uniqueArray(entryArb, { selector: (e) => e.at, maxLength: 25 }), {
    minLength: 1,
    maxLength: 4,
  })
  .map((lists) =>
    lists.map((entries, index) => ({
      vmId: `vm-00${index + 1}`,
      entries: [...entries].sort((a, b) => a.at - b.at),
    })),
  );
const MONTHS = costMonthsBetween(FROM, NOW);

describe('status history retention', { timeout: 60_000 }, () => {
  it('never changes a month the rollup still computes, nor removes time no final rollup counted', () => {
    let prunedInAll = 0;
    fc.assert(
      fc.property(
        historiesArb,
        fc.integer({ min: 35, max: 200 }),
        fc.subarray(MONTHS),
        fc.integer({ min: 0, max: 40 }),
        (histories, retentionDays, finalMonths, maxEntries) => {
          const rolledUpThrough = Object.fromEntries(
            finalMonths.map((month) => [month, costMonthRange(month).to]),
          );
          const plan = planHistoryPrune({
            histories,
            now: NOW,
            retentionDays,
            rolledUpThrough,
            maxEntries,
          });
          expect(plan.prune.length).toBeLessThanOrEqual(maxEntries);
          prunedInAll += plan.prune.length;
          expect(plan.cutoff).toBeLessThanOrEqual(NOW - retentionDays * DAY);
          const pruned = without(histories, plan.prune);
          // Every month the rollup may still compute (no final rollup), and every month after
          // the cutoff, comes out of the pruned history as before.
          const recomputed = MONTHS.filter(
            (month) =>
              rolledUpThrough[month] === undefined || costMonthRange(month).from >= plan.cutoff,
          );
          for (const month of recomputed) {
            expect(
              monthlyCost({ month, histories: pruned, prices, through: NOW, updatedAt: NOW }),
            ).toEqual(monthlyCost({ month, histories, prices, through: NOW, updatedAt: NOW }));
          }
          // What goes lies before the cutoff, in months whose rollup is final.
          for (const { entry: gone } of plan.prune) {
            expect(gone.at).toBeLessThan(plan.cutoff);
            for (const month of costMonthsBetween(gone.at, plan.cutoff)) {
              if (costMonthRange(month).to <= plan.cutoff) {
                expect(rolledUpThrough[month]).toBe(costMonthRange(month).to);
              }
            }
            expect(rolledUpThrough[costMonthOf(gone.at)]).toBe(
              costMonthRange(costMonthOf(gone.at)).to,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
    // The runs did prune (the property is not about empty plans only).
    expect(prunedInAll).toBeGreaterThan(100);
  });

  it('keeps what each VM was doing at the cutoff, and drops a closed history whole', () => {
    const a = [
      entry(Date.UTC(2026, 10, 2), 'available'),
      entry(Date.UTC(2026, 10, 3), 'assigned', 'comp-a'),
      entry(Date.UTC(2026, 10, 4), 'stopped'),
      entry(Date.UTC(2027, 2, 1), 'available'),
    ];
    // Only what the retention alone would let go decides which rollups are read.
    const months = retentionMonthsToCheck([{ vmId: 'vm-001', entries: a }], NOW, 90);
    expect(months).toEqual(['2026-11', '2026-12', '2027-01']);
    expect(retentionMonthsToCheck([{ vmId: 'vm-001', entries: a.slice(2) }], NOW, 90)).toEqual([]);
    const final = Object.fromEntries(months.map((m) => [m, costMonthRange(m).to]));
    const b = [
      entry(Date.UTC(2026, 10, 5), 'available'),
      entry(Date.UTC(2026, 10, 6), 'terminating'),
    ];
    const plan = planHistoryPrune({
      histories: [
        { vmId: 'vm-001', entries: a },
        { vmId: 'vm-002', entries: b },
      ],
      now: NOW,
      retentionDays: 90,
      rolledUpThrough: final,
    });
    expect(plan.cutoff).toBe(NOW - 90 * DAY);
    expect(plan.rollUpFirst).toBeNull();
    expect(plan.prune).toEqual([
      { vmId: 'vm-001', entry: a[0] },
      { vmId: 'vm-001', entry: a[1] },
      { vmId: 'vm-002', entry: b[0] },
      { vmId: 'vm-002', entry: b[1] },
    ]);
    expect(plan.remaining).toBe(0);

    // A terminated VM whose record is still there keeps its closing entry (the rollup would
    // repair an empty history).
    const recorded = planHistoryPrune({
      histories: [{ vmId: 'vm-002', entries: b }],
      now: NOW,
      retentionDays: 90,
      rolledUpThrough: final,
      recordedVmIds: new Set(['vm-002']),
    });
    expect(recorded.prune).toEqual([{ vmId: 'vm-002', entry: b[0] }]);

    // A batch of 1 takes the oldest and says how many wait.
    const small = planHistoryPrune({
      histories: [{ vmId: 'vm-001', entries: a }],
      now: NOW,
      retentionDays: 90,
      rolledUpThrough: final,
      maxEntries: 1,
    });
    expect(small.prune).toEqual([{ vmId: 'vm-001', entry: a[0] }]);
    expect(small.remaining).toBe(1);
  });

  it('holds back at the first month without a final rollup and asks for that rollup', () => {
    const a = [
      entry(Date.UTC(2026, 10, 2), 'available'),
      entry(Date.UTC(2026, 11, 3), 'assigned', 'comp-a'),
      entry(Date.UTC(2026, 11, 4), 'stopped'),
    ];
    const histories = [{ vmId: 'vm-001', entries: a }];
    // November has no rollup at all (before costs were rolled up): nothing goes, roll it up.
    const none = planHistoryPrune({ histories, now: NOW, retentionDays: 90, rolledUpThrough: {} });
    expect(none.cutoff).toBe(Date.UTC(2026, 10, 1));
    expect(none.rollUpFirst).toBe('2026-11');
    expect(none.prune).toEqual([]);
    // November final, December rolled up only halfway: only November's time may go.
    const half = planHistoryPrune({
      histories,
      now: NOW,
      retentionDays: 90,
      rolledUpThrough: { '2026-11': Date.UTC(2026, 11, 1), '2026-12': Date.UTC(2026, 11, 15) },
    });
    expect(half.cutoff).toBe(Date.UTC(2026, 11, 1));
    expect(half.rollUpFirst).toBe('2026-12');
    expect(half.prune).toEqual([]);
    // Nothing older than the retention: nothing to check.
    expect(
      retentionMonthsToCheck(
        [{ vmId: 'vm-001', entries: [entry(NOW - DAY, 'available')] }],
        NOW,
        35,
      ),
    ).toEqual([]);
  });
});
