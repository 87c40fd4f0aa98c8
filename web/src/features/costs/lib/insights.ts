/**
 * Pool insights (PRD §9.1, pool level) from what admins can read, bounded by the window: the
 * window's requests (assignments per day, time to ready by how the VM came, error rate) and
 * the monthly cost rollups' days (utilisation: the share of billable VM time a show held the
 * VM). Pure: time is passed in.
 */
import { assignViaOfSteps, percentile, type AssignVia, type MonthlyCost } from '@vmpool/core';

const DAY_MS = 86_400_000;

/** What insights need of one request row. */
export interface RequestRow {
  requestId: string;
  action: string;
  requestedAt: number;
  state: string | null;
  updatedAt: number | null;
  stepNames: string[];
}

/** A stored request as a RequestRow; null when it lacks what insights need. */
export function requestRowOf(requestId: string, raw: unknown): RequestRow | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const row = raw as Record<string, unknown>;
  if (typeof row.action !== 'string' || typeof row.requestedAt !== 'number') return null;
  const result =
    typeof row.result === 'object' && row.result !== null
      ? (row.result as Record<string, unknown>)
      : null;
  const steps = Array.isArray(result?.steps) ? (result.steps as unknown[]) : [];
  return {
    requestId,
    action: row.action,
    requestedAt: row.requestedAt,
    state: typeof result?.state === 'string' ? result.state : null,
    updatedAt: typeof result?.updatedAt === 'number' ? result.updatedAt : null,
    stepNames: steps.flatMap((step) =>
      typeof step === 'object' &&
      step !== null &&
      typeof (step as { name?: unknown }).name === 'string'
        ? [(step as { name: string }).name]
        : [],
    ),
  };
}

export function dayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The UTC days from `from` to `to` (inclusive), oldest first. */
export function daysBetween(from: number, to: number): string[] {
  const days: string[] = [];
  for (let at = Math.floor(from / DAY_MS) * DAY_MS; at <= to; at += DAY_MS) days.push(dayOf(at));
  return days;
}

export type ReadyVia = AssignVia;

/** How an assign got its VM, from its progress steps (core's step names: REQUEST_STEPS). */
export const readyVia = assignViaOfSteps;

export interface DayCount {
  day: string;
  assignments: number;
  finished: number;
  failed: number;
  /** failed / finished requests of that day (0..1); null without finished requests. */
  errorRate: number | null;
}

/** Assign requests, and the error rate of all requests, per UTC day of `days`. */
export function requestsPerDay(rows: readonly RequestRow[], days: readonly string[]): DayCount[] {
  const byDay = new Map<string, DayCount>(
    days.map((day) => [day, { day, assignments: 0, finished: 0, failed: 0, errorRate: null }]),
  );
  for (const row of rows) {
    const entry = byDay.get(dayOf(row.requestedAt));
    if (entry === undefined) continue;
    if (row.action === 'assign') entry.assignments += 1;
    if (row.state === 'succeeded' || row.state === 'failed') entry.finished += 1;
    if (row.state === 'failed') entry.failed += 1;
  }
  for (const entry of byDay.values()) {
    entry.errorRate = entry.finished === 0 ? null : entry.failed / entry.finished;
  }
  return [...byDay.values()];
}

export interface ReadyTimes {
  via: ReadyVia;
  count: number;
  /** Seconds from the request to the ready, handed-over VM; null without samples. */
  p50: number | null;
  p90: number | null;
}

/** Time to ready of succeeded assigns, by how the VM came (warm, cold start, launch). */
export function timeToReady(rows: readonly RequestRow[]): ReadyTimes[] {
  const samples: Record<ReadyVia, number[]> = { warm: [], cold: [], launch: [] };
  for (const row of rows) {
    if (row.action !== 'assign' || row.state !== 'succeeded' || row.updatedAt === null) continue;
    samples[readyVia(row.stepNames)].push(Math.max(0, (row.updatedAt - row.requestedAt) / 1000));
  }
  return (['warm', 'cold', 'launch'] as const).map((via) => ({
    via,
    count: samples[via].length,
    p50: samples[via].length === 0 ? null : percentile(samples[via], 50),
    p90: samples[via].length === 0 ? null : percentile(samples[via], 90),
  }));
}

export interface DayUtilisation {
  day: string;
  billableHours: number;
  heldHours: number;
  /** heldHours / billableHours (0..1); null when nothing billed that day. */
  utilisation: number | null;
}

/**
 * Per UTC day: billable VM hours, the hours a show held them, and their ratio, from the days of
 * the monthly cost rollups (`vmPool/costs/{month}/days`). Priced instance types only: the
 * rollup counts unpriced time apart.
 */
export function utilisationPerDay(
  months: readonly Pick<MonthlyCost, 'days'>[],
  days: readonly string[],
): DayUtilisation[] {
  const byDay = new Map<string, DayUtilisation>(
    days.map((day) => [day, { day, billableHours: 0, heldHours: 0, utilisation: null }]),
  );
  for (const month of months) {
    for (const [day, cost] of Object.entries(month.days)) {
      const entry = byDay.get(day);
      if (entry === undefined) continue;
      entry.billableHours += cost.billableSeconds / 3600;
      entry.heldHours += Math.max(0, cost.billableSeconds - cost.idleSeconds) / 3600;
    }
  }
  for (const entry of byDay.values()) {
    entry.utilisation = entry.billableHours === 0 ? null : entry.heldHours / entry.billableHours;
  }
  return [...byDay.values()];
}
