import {
  costDayOf,
  costMonthOf,
  costMonthRange,
  type CompetitionCost,
  type CostFigure,
  type DayCost,
  type MonthlyCost,
  type VmCost,
} from '../../contract/costs';
import type { StatusHistoryEntry, VmStatusHistory } from '../../contract/status-history';
import type { Ec2State, VmStatus } from '../../contract/vm-record';
import { isBillable } from '../vm-status';
import type { PriceLookup } from './pricing';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The attribution of time no competition held the VM. */
export const IDLE = 'idle';

/** A stretch of time a VM spent in one status, from its status history. */
export interface StatusInterval {
  vmId: string;
  /** ms epoch, inclusive */
  from: number;
  /** ms epoch, exclusive */
  to: number;
  status: VmStatus;
  ec2State: Ec2State;
  assignedTo: string | null;
  instanceType: string;
  region: string;
}

/**
 * Turns a VM's status history into intervals: each entry lasts until the next one, the last
 * until `until` (now). Entries at or after `until` are left out, and so are empty intervals.
 */
export function statusIntervals(
  vmId: string,
  entries: readonly StatusHistoryEntry[],
  until: number,
): StatusInterval[] {
  const sorted = [...entries].filter((entry) => entry.at < until).sort((a, b) => a.at - b.at);
  const intervals: StatusInterval[] = [];
  sorted.forEach((entry, index) => {
    const to = Math.min(sorted[index + 1]?.at ?? until, until);
    if (to <= entry.at) return;
    intervals.push({
      vmId,
      from: entry.at,
      to,
      status: entry.status,
      ec2State: entry.ec2State,
      assignedTo: entry.assignedTo,
      instanceType: entry.instanceType,
      region: entry.region,
    });
  });
  return intervals;
}

/** Whether EC2 bills the interval (core's STATUS_INFO, the EC2 state for `depends`). */
export function isBillableInterval(interval: Pick<StatusInterval, 'status' | 'ec2State'>): boolean {
  return isBillable(interval.status, interval.ec2State);
}

/** Who pays for an interval: the competition holding the VM, or IDLE. */
export function attributionOf(interval: Pick<StatusInterval, 'assignedTo'>): string {
  return interval.assignedTo ?? IDLE;
}

/** The part of an interval inside [from, to), or null when they do not overlap. */
export function clipInterval<T extends Pick<StatusInterval, 'from' | 'to'>>(
  interval: T,
  from: number,
  to: number,
): T | null {
  const start = Math.max(interval.from, from);
  const end = Math.min(interval.to, to);
  return end > start ? { ...interval, from: start, to: end } : null;
}

/** What an interval costs: billable seconds and dollars (null price: unpriced). */
export function intervalCost(
  interval: StatusInterval,
  prices: PriceLookup,
): { billableSeconds: number; usd: number; priced: boolean } {
  if (!isBillableInterval(interval)) return { billableSeconds: 0, usd: 0, priced: true };
  const billableSeconds = (interval.to - interval.from) / 1000;
  const price = prices(interval.instanceType);
  if (price === null) return { billableSeconds, usd: 0, priced: false };
  return { billableSeconds, usd: (price * (interval.to - interval.from)) / HOUR_MS, priced: true };
}

export interface CostSummary extends CostFigure {
  /** By competition id, and IDLE for time no competition held a VM. */
  byAttribution: Record<string, CostFigure>;
  byVm: Record<string, CostFigure>;
  unpricedSeconds: number;
  unpricedInstanceTypes: string[];
}

function add(target: CostFigure, usd: number, seconds: number): void {
  target.usd += usd;
  target.billableSeconds += seconds;
}

const zero = (): CostFigure => ({ usd: 0, billableSeconds: 0 });

/** Totals a set of intervals by attribution and by VM. */
export function summariseCost(
  intervals: readonly StatusInterval[],
  prices: PriceLookup,
): CostSummary {
  const summary: CostSummary = {
    ...zero(),
    byAttribution: {},
    byVm: {},
    unpricedSeconds: 0,
    unpricedInstanceTypes: [],
  };
  for (const interval of intervals) {
    const cost = intervalCost(interval, prices);
    if (cost.billableSeconds === 0) continue;
    if (!cost.priced) {
      summary.unpricedSeconds += cost.billableSeconds;
      if (!summary.unpricedInstanceTypes.includes(interval.instanceType)) {
        summary.unpricedInstanceTypes.push(interval.instanceType);
      }
      continue;
    }
    add(summary, cost.usd, cost.billableSeconds);
    add(
      (summary.byAttribution[attributionOf(interval)] ??= zero()),
      cost.usd,
      cost.billableSeconds,
    );
    add((summary.byVm[interval.vmId] ??= zero()), cost.usd, cost.billableSeconds);
  }
  summary.unpricedInstanceTypes.sort();
  return summary;
}

/** Money is kept to a millionth of a dollar, seconds to a millisecond, so sums stay readable. */
const roundUsd = (usd: number) => Math.round(usd * 1e6) / 1e6;
const roundSeconds = (seconds: number) => Math.round(seconds * 1000) / 1000;
const rounded = (figure: CostFigure): CostFigure => ({
  usd: roundUsd(figure.usd),
  billableSeconds: roundSeconds(figure.billableSeconds),
});

/**
 * `vmPool/costs/{month}` from every VM's status history: the month's billable time up to
 * `through` (now), priced, by competition (and VM within it), by VM (with its idle share), by
 * day, and the idle total. Intervals are cut at the month's and the days' UTC boundaries.
 */
export function monthlyCost(input: {
  month: string;
  histories: readonly VmStatusHistory[];
  prices: PriceLookup;
  through: number;
  updatedAt: number;
}): MonthlyCost {
  const { from, to } = costMonthRange(input.month);
  const until = Math.min(to, input.through);
  const total = zero();
  const idle = zero();
  const competitions: Record<string, CompetitionCost> = {};
  const vms: Record<string, VmCost> = {};
  const days: Record<string, DayCost> = {};
  const unpriced = { billableSeconds: 0, instanceTypes: [] as string[] };

  for (const history of input.histories) {
    for (const whole of statusIntervals(history.vmId, history.entries, until)) {
      const inMonth = clipInterval(whole, from, until);
      if (inMonth === null) continue;
      for (const interval of splitByDay(inMonth)) {
        const cost = intervalCost(interval, input.prices);
        if (cost.billableSeconds === 0) continue;
        if (!cost.priced) {
          unpriced.billableSeconds += cost.billableSeconds;
          if (!unpriced.instanceTypes.includes(interval.instanceType)) {
            unpriced.instanceTypes.push(interval.instanceType);
          }
          continue;
        }
        const isIdle = interval.assignedTo === null;
        add(total, cost.usd, cost.billableSeconds);
        const vm = (vms[interval.vmId] ??= {
          ...zero(),
          instanceType: interval.instanceType,
          idleSeconds: 0,
          idleUsd: 0,
        });
        add(vm, cost.usd, cost.billableSeconds);
        vm.instanceType = interval.instanceType;
        const day = (days[costDayOf(interval.from)] ??= { ...zero(), idleUsd: 0, idleSeconds: 0 });
        add(day, cost.usd, cost.billableSeconds);
        if (isIdle) {
          add(idle, cost.usd, cost.billableSeconds);
          vm.idleSeconds += cost.billableSeconds;
          vm.idleUsd += cost.usd;
          day.idleUsd += cost.usd;
          day.idleSeconds += cost.billableSeconds;
        } else {
          const competition = (competitions[interval.assignedTo as string] ??= {
            ...zero(),
            vms: {},
          });
          add(competition, cost.usd, cost.billableSeconds);
          add((competition.vms[interval.vmId] ??= zero()), cost.usd, cost.billableSeconds);
        }
      }
    }
  }

  const mapValues = <T, U>(record: Record<string, T>, map: (value: T) => U) =>
    Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
  return {
    month: input.month,
    currency: 'USD',
    through: until,
    updatedAt: input.updatedAt,
    total: rounded(total),
    idle: rounded(idle),
    competitions: mapValues(competitions, (entry) => ({
      ...rounded(entry),
      vms: mapValues(entry.vms, rounded),
    })),
    vms: mapValues(vms, (entry) => ({
      ...entry,
      ...rounded(entry),
      idleSeconds: roundSeconds(entry.idleSeconds),
      idleUsd: roundUsd(entry.idleUsd),
    })),
    days: mapValues(days, (entry) => ({
      ...rounded(entry),
      idleUsd: roundUsd(entry.idleUsd),
      idleSeconds: roundSeconds(entry.idleSeconds),
    })),
    unpriced: {
      billableSeconds: roundSeconds(unpriced.billableSeconds),
      instanceTypes: unpriced.instanceTypes.sort(),
    },
  };
}

/** Cuts an interval at UTC midnights. */
export function splitByDay<T extends Pick<StatusInterval, 'from' | 'to'>>(interval: T): T[] {
  const parts: T[] = [];
  let start = interval.from;
  while (start < interval.to) {
    const midnight = (Math.floor(start / DAY_MS) + 1) * DAY_MS;
    const end = Math.min(midnight, interval.to);
    parts.push({ ...interval, from: start, to: end });
    start = end;
  }
  return parts;
}

/** The months (`yyyy-mm`) an interval of time touches, oldest first. */
export function costMonthsBetween(from: number, to: number): string[] {
  const months: string[] = [];
  let at = from;
  while (at < to) {
    const month = costMonthOf(at);
    months.push(month);
    at = costMonthRange(month).to;
  }
  return months;
}
