import { REQUEST_STEPS as STEP, type MonthlyCost } from '@vmpool/core';
import { describe, expect, it } from 'vitest';
import {
  daysBetween,
  readyVia,
  requestRowOf,
  requestsPerDay,
  timeToReady,
  utilisationPerDay,
} from './insights';

const DAY = Date.UTC(2027, 1, 5);
const HOUR = 3_600_000;

function assign(id: string, at: number, seconds: number, steps: string[], state = 'succeeded') {
  const row = requestRowOf(id, {
    action: 'assign',
    requestedAt: at,
    result: { state, updatedAt: at + seconds * 1000, steps: steps.map((name) => ({ name })) },
  });
  if (row === null) throw new Error('bad row');
  return row;
}

describe('pool insights', () => {
  it('tells warm, cold and launch assigns apart by their steps and takes p50/p90', () => {
    expect(readyVia([STEP.check, STEP.claim, STEP.handOver])).toBe('warm');
    expect(readyVia([STEP.check, STEP.claim, STEP.start, STEP.waitAgent, STEP.handOver])).toBe(
      'cold',
    );
    expect(readyVia([STEP.check, STEP.launch, STEP.waitAgent, STEP.handOver])).toBe('launch');
    // Only the contract's names count: a step that merely mentions a start is not one.
    expect(readyVia(['Restart show server'])).toBe('warm');
    const rows = [
      assign('a', DAY, 4, [STEP.handOver]),
      assign('b', DAY, 6, [STEP.handOver]),
      ...[100, 120, 140, 160, 300].map((s, i) => assign(`c${i}`, DAY, s, [STEP.start])),
      assign('f', DAY, 999, [STEP.start], 'failed'),
    ];
    expect(timeToReady(rows)).toEqual([
      { via: 'warm', count: 2, p50: 4, p90: 6 },
      { via: 'cold', count: 5, p50: 140, p90: 300 },
      { via: 'launch', count: 0, p50: null, p90: null },
    ]);
  });

  it('counts assignments and the error rate per day', () => {
    const days = daysBetween(DAY, DAY + 86_400_000);
    expect(days).toEqual(['2027-02-05', '2027-02-06']);
    const rows = [
      assign('a', DAY + HOUR, 5, []),
      assign('b', DAY + 2 * HOUR, 5, [], 'failed'),
      assign('c', DAY + 2 * HOUR, 5, [], 'running'),
    ];
    expect(requestsPerDay(rows, days)).toEqual([
      { day: '2027-02-05', assignments: 3, finished: 2, failed: 1, errorRate: 0.5 },
      { day: '2027-02-06', assignments: 0, finished: 0, failed: 0, errorRate: null },
    ]);
    expect(requestRowOf('x', { action: 'assign' })).toBeNull();
  });

  it('measures utilisation from the monthly rollups: the share of billable time a show held a VM', () => {
    const day = (billableHours: number, idleHours: number) => ({
      usd: 0,
      billableSeconds: billableHours * 3600,
      idleUsd: 0,
      idleSeconds: idleHours * 3600,
    });
    const months: Pick<MonthlyCost, 'days'>[] = [
      { days: { '2027-01-31': day(10, 10), '2027-02-05': day(4, 1) } },
      { days: { '2027-03-01': day(2, 0) } },
    ];
    expect(utilisationPerDay(months, ['2027-02-05', '2027-02-06', '2027-03-01'])).toEqual([
      { day: '2027-02-05', billableHours: 4, heldHours: 3, utilisation: 0.75 },
      { day: '2027-02-06', billableHours: 0, heldHours: 0, utilisation: null },
      { day: '2027-03-01', billableHours: 2, heldHours: 2, utilisation: 1 },
    ]);
  });
});
