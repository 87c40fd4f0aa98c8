// Properties of the cost functions: every billable second is paid exactly once, by one
// competition or by idle, whichever way the time is cut (by month, by day, by VM).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { costMonthRange } from '../../contract/costs';
import type { StatusHistoryEntry } from '../../contract/status-history';
import { VM_STATUSES } from '../../contract/vm-record';
import {
  clipInterval,
  costMonthsBetween,
  monthlyCost,
  statusIntervals,
  summariseCost,
} from './cost';
import { priceLookup } from './pricing';

const FROM = Date.UTC(2027, 0, 20);
const TO = Date.UTC(2027, 2, 10);

const entryArb: fc.Arbitrary<StatusHistoryEntry> = fc.record({
  at: fc.integer({ min: FROM, max: TO }),
  status: fc.constantFrom(...VM_STATUSES),
  ec2State: fc.constantFrom('running' as const, 'stopped' as const, 'pending' as const),
  assignedTo: fc.option(fc.constantFrom('comp-a', 'comp-b'), { nil: null }),
  instanceType: fc.constantFrom('t3.large', 'g4dn.xlarge'),
  region: fc.constant('us-east-1'),
  cause: fc.constant('test'),
});
const historiesArb = fc.array(fc.array(entryArb, { maxLength: 30 }), {
  minLength: 1,
  maxLength: 4,
});

// Generous timeouts: a few seconds alone, much more on a busy shared machine.
describe('cost properties', { timeout: 60_000 }, () => {
  it('attributes every billable second once, and never more seconds than the VM existed', () => {
    fc.assert(
      fc.property(historiesArb, (raw) => {
        const intervals = raw.flatMap((entries, index) =>
          statusIntervals(`vm-00${index + 1}`, entries, TO),
        );
        const cost = summariseCost(intervals, priceLookup());
        const byAttribution = Object.values(cost.byAttribution);
        const byVm = Object.values(cost.byVm);
        const sum = (
          list: { usd: number; billableSeconds: number }[],
          key: 'usd' | 'billableSeconds',
        ) => list.reduce((total, figure) => total + figure[key], 0);
        expect(sum(byAttribution, 'billableSeconds')).toBeCloseTo(cost.billableSeconds, 3);
        expect(sum(byVm, 'usd')).toBeCloseTo(cost.usd, 6);
        for (const [index, entries] of raw.entries()) {
          const first = Math.min(...entries.map((entry) => entry.at));
          const seconds = cost.byVm[`vm-00${index + 1}`]?.billableSeconds ?? 0;
          expect(seconds).toBeLessThanOrEqual(
            entries.length === 0 ? 0 : (TO - first) / 1000 + 1e-6,
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same bill whether the time is taken whole or month by month', () => {
    fc.assert(
      fc.property(historiesArb, (raw) => {
        const histories = raw.map((entries, index) => ({ vmId: `vm-00${index + 1}`, entries }));
        const whole = summariseCost(
          histories.flatMap((history) => statusIntervals(history.vmId, history.entries, TO)),
          priceLookup(),
        );
        const months = costMonthsBetween(FROM, TO).map((month) =>
          monthlyCost({ month, histories, prices: priceLookup(), through: TO, updatedAt: TO }),
        );
        const total = months.reduce((sum, month) => sum + month.total.usd, 0);
        expect(total).toBeCloseTo(whole.usd, 4);
        for (const month of months) {
          const parts =
            month.idle.usd +
            Object.values(month.competitions).reduce((sum, entry) => sum + entry.usd, 0);
          expect(parts).toBeCloseTo(month.total.usd, 4);
          const days = Object.values(month.days).reduce((sum, day) => sum + day.usd, 0);
          expect(days).toBeCloseTo(month.total.usd, 4);
          const { from, to } = costMonthRange(month.month);
          for (const day of Object.keys(month.days)) {
            const at = Date.parse(`${day}T00:00:00Z`);
            expect(at >= from && at < to).toBe(true);
          }
        }
        const clipped = clipInterval({ from: FROM, to: TO }, FROM, TO);
        expect(clipped).toEqual({ from: FROM, to: TO });
      }),
      { numRuns: 100 },
    );
  });
});
