import { z } from 'zod';
import { COMPETITION_ID_PATTERN, INSTANCE_TYPE_PATTERN, VM_ID_PATTERN } from './ids';
import { parseWith, type Parsed } from './parsed';
import { rtdbList, timestamp } from './rtdb-shapes';

/** `yyyy-mm` (UTC), the key of `vmPool/costs/{month}`. */
export const COST_MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
/** `yyyy-mm-dd` (UTC), the keys of a month's `days`. */
export const COST_DAY_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Money and the billable time behind it. */
export interface CostFigure {
  usd: number;
  billableSeconds: number;
}

/** `vmPool/costs/{month}/competitions/{compId}`: what one show cost (producers of it read it). */
export interface CompetitionCost extends CostFigure {
  /** Per VM that held the show. */
  vms: Record<string, CostFigure>;
}

/** `vmPool/costs/{month}/vms/{vmId}`. */
export interface VmCost extends CostFigure {
  instanceType: string;
  /** Billable time no competition held the VM. */
  idleSeconds: number;
  idleUsd: number;
}

/** `vmPool/costs/{month}/days/{yyyy-mm-dd}`: for the charts and the pool insights. */
export interface DayCost extends CostFigure {
  idleUsd: number;
  /** Billable time no competition held a VM (utilisation: 1 - idle / billable). */
  idleSeconds: number;
}

/**
 * `vmPool/costs/{month}`: the month's EC2 instance cost, computed by the control plane from
 * `vmPool/statusHistory` and the price table (core's, overridden by `hourlyPrices`). Admins
 * read it all; a competition's producers read `competitions/{compId}`.
 */
export interface MonthlyCost {
  month: string;
  currency: 'USD';
  /** The figures cover the month from its start up to here (ms epoch). */
  through: number;
  updatedAt: number;
  total: CostFigure;
  /** Billable time while no competition held the VM (warm pool, pre-warm, idle). */
  idle: CostFigure;
  competitions: Record<string, CompetitionCost>;
  vms: Record<string, VmCost>;
  days: Record<string, DayCost>;
  /** Billable time of instance types without a price: not in `usd`, named here. */
  unpriced: { billableSeconds: number; instanceTypes: string[] };
}

const usd = z.number().min(0);
const seconds = z.number().min(0);
const figure = { usd, billableSeconds: seconds };
const objectOf = <T extends z.ZodType>(key: RegExp, value: T) =>
  z.preprocess((raw) => raw ?? {}, z.record(z.string().regex(key), value));

export const competitionCostSchema = z.object({
  ...figure,
  vms: objectOf(VM_ID_PATTERN, z.object(figure)),
});

const monthlyCostSchema = z.object({
  month: z.string().regex(COST_MONTH_PATTERN, { error: 'must be yyyy-mm' }),
  currency: z.literal('USD'),
  through: timestamp,
  updatedAt: timestamp,
  total: z.object(figure),
  idle: z.object(figure),
  competitions: objectOf(COMPETITION_ID_PATTERN, competitionCostSchema),
  vms: objectOf(
    VM_ID_PATTERN,
    z.object({
      ...figure,
      instanceType: z.string().regex(INSTANCE_TYPE_PATTERN),
      idleSeconds: seconds,
      idleUsd: usd,
    }),
  ),
  // idleSeconds: 0 in rollups written before it existed (reconcile rewrites the month).
  days: objectOf(
    COST_DAY_PATTERN,
    z.object({ ...figure, idleUsd: usd, idleSeconds: seconds.default(0) }),
  ),
  unpriced: z.preprocess(
    (raw) => raw ?? {},
    z.object({
      billableSeconds: seconds.default(0),
      instanceTypes: rtdbList(z.string().regex(INSTANCE_TYPE_PATTERN)).default([]),
    }),
  ),
});

/** Validates `vmPool/costs/{month}`. */
export function parseMonthlyCost(raw: unknown): Parsed<MonthlyCost> {
  return parseWith<MonthlyCost>(monthlyCostSchema, raw);
}

/** Validates `vmPool/costs/{month}/competitions/{compId}` (what a producer reads). */
export function parseCompetitionCost(raw: unknown): Parsed<CompetitionCost> {
  return parseWith<CompetitionCost>(competitionCostSchema, raw);
}

/** The UTC month of a time, as `yyyy-mm`. */
export function costMonthOf(at: number): string {
  return new Date(at).toISOString().slice(0, 7);
}

/** The UTC day of a time, as `yyyy-mm-dd`. */
export function costDayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The first ms of a `yyyy-mm` month and of the next one (UTC). */
export function costMonthRange(month: string): { from: number; to: number } {
  if (!COST_MONTH_PATTERN.test(month)) throw new Error(`costMonthRange: "${month}" is not yyyy-mm`);
  const year = Number(month.slice(0, 4));
  const index = Number(month.slice(5, 7)) - 1;
  return { from: Date.UTC(year, index, 1), to: Date.UTC(year, index + 1, 1) };
}
