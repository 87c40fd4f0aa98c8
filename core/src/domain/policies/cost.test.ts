import { describe, expect, it } from 'vitest';
import type { StatusHistoryEntry } from '../../contract/status-history';
import {
  attributionOf,
  clipInterval,
  costMonthsBetween,
  IDLE,
  isBillableInterval,
  monthlyCost,
  splitByDay,
  statusIntervals,
  summariseCost,
} from './cost';
import {
  hourlyPriceFor,
  INSTANCE_HOURLY_PRICES_USD,
  priceLookup,
  PRICE_TABLE_SOURCE,
} from './pricing';

const HOUR = 3_600_000;
const T0 = Date.UTC(2027, 1, 5, 22); // 2027-02-05 22:00 UTC

function entry(
  at: number,
  status: StatusHistoryEntry['status'],
  extra: Partial<StatusHistoryEntry> = {},
): StatusHistoryEntry {
  return {
    at,
    status,
    ec2State: status === 'stopped' ? 'stopped' : status === 'starting' ? 'pending' : 'running',
    assignedTo: null,
    instanceType: 'g4dn.xlarge',
    region: 'us-east-1',
    cause: 'test',
    ...extra,
  };
}

/** A cold-assigned show: starting 5 min, assigned 30 min, in use 2 h, releasing 5 min, stopped. */
const showNight: StatusHistoryEntry[] = [
  entry(T0, 'starting', { assignedTo: 'comp-a' }),
  entry(T0 + HOUR / 12, 'assigned', { assignedTo: 'comp-a' }),
  entry(T0 + HOUR / 12 + HOUR / 2, 'in_use', { assignedTo: 'comp-a' }),
  entry(T0 + HOUR / 12 + HOUR / 2 + 2 * HOUR, 'releasing', { assignedTo: 'comp-a' }),
  entry(T0 + 2 * HOUR + HOUR / 2 + HOUR / 6, 'stopping'),
  entry(T0 + 2 * HOUR + HOUR / 2 + HOUR / 6 + 60_000, 'stopped'),
];

describe('prices', () => {
  it('has the PRD’s prices, says where they come from, and takes the pool’s overrides', () => {
    expect(INSTANCE_HOURLY_PRICES_USD).toEqual({ 't3.large': 0.08, 'g4dn.xlarge': 0.53 });
    expect(PRICE_TABLE_SOURCE).toMatch(/PRD/);
    expect(hourlyPriceFor('g4dn.xlarge')).toBe(0.53);
    expect(hourlyPriceFor('c5.xlarge')).toBeNull();
    expect(hourlyPriceFor('c5.xlarge', { hourlyPrices: { c5_xlarge: 0.17 } })).toBe(0.17);
    expect(hourlyPriceFor('t3.large', { hourlyPrices: { t3_large: 0.0832 } })).toBe(0.0832);
    expect(hourlyPriceFor('not a type', { hourlyPrices: {} })).toBeNull();
  });
});

describe('statusIntervals', () => {
  it('makes each entry last until the next, the last until now, in time order', () => {
    const shuffled = [showNight[2], showNight[0], showNight[1]] as StatusHistoryEntry[];
    const intervals = statusIntervals('vm-001', shuffled, T0 + 3 * HOUR);
    expect(intervals.map((i) => [i.status, i.from - T0, i.to - T0])).toEqual([
      ['starting', 0, HOUR / 12],
      ['assigned', HOUR / 12, HOUR / 12 + HOUR / 2],
      ['in_use', HOUR / 12 + HOUR / 2, 3 * HOUR],
    ]);
  });

  it('leaves out entries at or after now and empty intervals', () => {
    const entries = [entry(T0, 'available'), entry(T0, 'assigned'), entry(T0 + HOUR, 'stopped')];
    expect(statusIntervals('vm-001', entries, T0 + HOUR).map((i) => i.status)).toEqual([
      'assigned',
    ]);
    expect(statusIntervals('vm-001', [], T0)).toEqual([]);
  });
});

describe('billing and attribution', () => {
  it('bills what STATUS_INFO bills, following EC2 for error and maintenance', () => {
    expect(isBillableInterval({ status: 'starting', ec2State: 'pending' })).toBe(true);
    expect(isBillableInterval({ status: 'stopping', ec2State: 'stopping' })).toBe(false);
    expect(isBillableInterval({ status: 'error', ec2State: 'running' })).toBe(true);
    expect(isBillableInterval({ status: 'error', ec2State: 'stopped' })).toBe(false);
    expect(attributionOf({ assignedTo: null })).toBe(IDLE);
    expect(attributionOf({ assignedTo: 'comp-a' })).toBe('comp-a');
  });

  it('prices a show night: the show pays its start, its hours and its cleanup', () => {
    const warmBefore = [entry(T0 - HOUR, 'available')];
    const intervals = statusIntervals('vm-001', [...warmBefore, ...showNight], T0 + 4 * HOUR);
    const cost = summariseCost(intervals, priceLookup());
    const showSeconds = (2 * HOUR + HOUR / 2 + HOUR / 6) / 1000;
    expect(cost.byAttribution['comp-a']?.billableSeconds).toBeCloseTo(showSeconds, 6);
    expect(cost.byAttribution[IDLE]?.billableSeconds).toBe(3600);
    expect(cost.billableSeconds).toBeCloseTo(showSeconds + 3600, 6);
    expect(cost.usd).toBeCloseTo(((showSeconds + 3600) / 3600) * 0.53, 9);
    expect(cost.byVm['vm-001']?.usd).toBeCloseTo(cost.usd, 9);
  });

  it('counts time without a price apart instead of guessing', () => {
    const intervals = statusIntervals(
      'vm-002',
      [entry(T0, 'available', { instanceType: 'c5.xlarge' })],
      T0 + HOUR,
    );
    const cost = summariseCost(intervals, priceLookup());
    expect(cost).toMatchObject({
      usd: 0,
      billableSeconds: 0,
      unpricedSeconds: 3600,
      unpricedInstanceTypes: ['c5.xlarge'],
    });
    const priced = summariseCost(intervals, priceLookup({ hourlyPrices: { c5_xlarge: 0.17 } }));
    expect(priced.usd).toBeCloseTo(0.17, 9);
  });
});

describe('cutting time', () => {
  it('clips to a range and splits at UTC midnights', () => {
    const interval = { from: T0, to: T0 + 4 * HOUR };
    expect(clipInterval(interval, T0 + HOUR, T0 + 10 * HOUR)).toEqual({
      from: T0 + HOUR,
      to: T0 + 4 * HOUR,
    });
    expect(clipInterval(interval, T0 + 5 * HOUR, T0 + 6 * HOUR)).toBeNull();
    const midnight = Date.UTC(2027, 1, 6);
    expect(splitByDay(interval)).toEqual([
      { from: T0, to: midnight },
      { from: midnight, to: T0 + 4 * HOUR },
    ]);
    expect(costMonthsBetween(Date.UTC(2027, 0, 31), Date.UTC(2027, 2, 1, 1))).toEqual([
      '2027-01',
      '2027-02',
      '2027-03',
    ]);
  });
});

describe('monthlyCost', () => {
  it('rolls a month up by competition, VM, day and idle, cut at the month and now', () => {
    const histories = [
      { vmId: 'vm-001', entries: [entry(Date.UTC(2027, 0, 31, 23), 'available'), ...showNight] },
      { vmId: 'vm-002', entries: [entry(T0 + HOUR, 'available', { instanceType: 'c5.xlarge' })] },
    ];
    const through = T0 + 3 * HOUR;
    const month = monthlyCost({
      month: '2027-02',
      histories,
      prices: priceLookup(),
      through,
      updatedAt: through + 5,
    });
    // vm-001 idles from Feb 1 00:00 to T0 (the January hour is not this month's).
    const idleSeconds = (T0 - Date.UTC(2027, 1, 1)) / 1000;
    const showSeconds = (2 * HOUR + HOUR / 2 + HOUR / 6) / 1000;
    expect(month.through).toBe(through);
    expect(month.idle.billableSeconds).toBeCloseTo(idleSeconds, 3);
    expect(month.competitions['comp-a']?.billableSeconds).toBeCloseTo(showSeconds, 3);
    expect(month.competitions['comp-a']?.vms['vm-001']?.billableSeconds).toBeCloseTo(
      showSeconds,
      3,
    );
    expect(month.vms['vm-001']).toMatchObject({ instanceType: 'g4dn.xlarge' });
    expect(month.vms['vm-001']?.idleSeconds).toBeCloseTo(idleSeconds, 3);
    expect(month.total.usd).toBeCloseTo(((idleSeconds + showSeconds) / 3600) * 0.53, 5);
    expect(month.unpriced).toEqual({ billableSeconds: 7200, instanceTypes: ['c5.xlarge'] });
    // The show crosses midnight: its days add up to the month.
    const days = Object.values(month.days);
    expect(days.reduce((sum, day) => sum + day.usd, 0)).toBeCloseTo(month.total.usd, 5);
    expect(Object.keys(month.days)).toContain('2027-02-06');
  });

  it('is empty for a month with no billable time', () => {
    const month = monthlyCost({
      month: '2027-03',
      histories: [{ vmId: 'vm-001', entries: showNight }],
      prices: priceLookup(),
      through: Date.UTC(2027, 3, 1),
      updatedAt: 1,
    });
    expect(month.total).toEqual({ usd: 0, billableSeconds: 0 });
    expect(month.competitions).toEqual({});
  });
});
