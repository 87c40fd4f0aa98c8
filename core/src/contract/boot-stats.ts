import { z } from 'zod';
import { parseWith, type Parsed } from './parsed';
import { rtdbList, timestamp } from './rtdb-shapes';

/** How many recent start-to-ready samples are kept per kind. */
export const BOOT_SAMPLES_KEPT = 50;

export const BOOT_KINDS = ['start', 'launch'] as const;
/** `start`: a stopped VM started; `launch`: a new instance. */
export type BootKind = (typeof BOOT_KINDS)[number];

/**
 * `vmPool/bootStats/{region}/{priceKey}` (control plane writes, admins read): the latest
 * start-to-ready times (seconds from the EC2 start or launch call to the agent's ready report)
 * of VMs of one instance type in one region, oldest first. The schedule starts cold VMs early
 * by their p90 plus a margin.
 */
export interface BootStats {
  start: number[];
  launch: number[];
  updatedAt: number;
}

const samples = rtdbList(z.number().min(0).max(86_400)).refine(
  (list) => list.length <= BOOT_SAMPLES_KEPT,
  { error: `must keep at most ${BOOT_SAMPLES_KEPT} samples` },
);

const bootStatsSchema = z.object({
  start: samples,
  launch: samples,
  updatedAt: timestamp,
});

/** Validates a bootStats node. */
export function parseBootStats(raw: unknown): Parsed<BootStats> {
  return parseWith<BootStats>(bootStatsSchema, raw);
}

/** Adds one sample, keeping the newest BOOT_SAMPLES_KEPT (for a transaction's update). */
export function withBootSample(
  stats: BootStats | null,
  kind: BootKind,
  seconds: number,
  at: number,
): BootStats {
  const current = stats ?? { start: [], launch: [], updatedAt: at };
  return {
    ...current,
    [kind]: [...current[kind], seconds].slice(-BOOT_SAMPLES_KEPT),
    updatedAt: at,
  };
}
