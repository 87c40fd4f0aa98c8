import type { BootKind, BootStats } from '../../contract/boot-stats';
import { priceKey, type PoolConfig } from '../../contract/pool-config';

/** Fewer measurements than this and the estimate falls back to the configured warm-up time. */
export const MIN_BOOT_SAMPLES = 5;
/**
 * The margin added to the p90: a quarter of it, at least 60 s. Boots slower than the p90 are
 * one in ten; the margin is what keeps a scheduled show from waiting on one of them, for about
 * a minute of running time per show.
 */
export const BOOT_MARGIN = Object.freeze({ ratio: 0.25, minMs: 60_000 });
/** A launch (new instance, first boot of the AMI) is assumed this much slower than a start. */
export const DEFAULT_LAUNCH_FACTOR = 2;

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export interface BootEstimate {
  /** How many measurements the estimate rests on. */
  samples: number;
  /** `default`: too few measurements; the configured warm-up time stands in for the p90. */
  source: 'measured' | 'default';
  p50Ms: number;
  p90Ms: number;
  /** p90 plus the margin: how long before it is needed a VM is started. */
  leadMs: number;
}

/**
 * The start-to-ready lead from measured boot times (seconds): their p90 plus a margin
 * (BOOT_MARGIN). With fewer than MIN_BOOT_SAMPLES measurements, `defaultSeconds` is the p90,
 * or the measured p90 when that is longer.
 */
export function bootEstimate(
  samplesSeconds: readonly number[],
  defaultSeconds: number,
): BootEstimate {
  const measured = samplesSeconds.length >= MIN_BOOT_SAMPLES;
  const p90Seconds = measured
    ? percentile(samplesSeconds, 90)
    : Math.max(defaultSeconds, samplesSeconds.length > 0 ? percentile(samplesSeconds, 90) : 0);
  const p50Seconds = measured ? percentile(samplesSeconds, 50) : p90Seconds;
  const p90Ms = p90Seconds * 1000;
  return {
    samples: samplesSeconds.length,
    source: measured ? 'measured' : 'default',
    p50Ms: p50Seconds * 1000,
    p90Ms,
    leadMs: Math.ceil(p90Ms + Math.max(BOOT_MARGIN.minMs, p90Ms * BOOT_MARGIN.ratio)),
  };
}

/** Start-to-ready lead (ms) for a VM of this region and instance type. */
export type BootLeadLookup = (region: string, instanceType: string, kind: BootKind) => number;

/** `vmPool/bootStats` as read: region → price key → stats. */
export type BootStatsTree = Readonly<Record<string, Readonly<Record<string, BootStats>>>>;

/**
 * The lead lookup the schedule planner takes, from the measured stats. Without measurements a
 * start is assumed to take `warmupTimeSeconds` and a launch DEFAULT_LAUNCH_FACTOR times that.
 */
export function bootLeads(
  stats: BootStatsTree,
  config: Pick<PoolConfig, 'warmupTimeSeconds'>,
): BootLeadLookup {
  const cache = new Map<string, number>();
  return (region, instanceType, kind) => {
    const cacheKey = `${region}|${instanceType}|${kind}`;
    const cached = cache.get(cacheKey);
    if (cached !== undefined) return cached;
    let key: string;
    try {
      key = priceKey(instanceType);
    } catch {
      key = '';
    }
    const samples = stats[region]?.[key]?.[kind] ?? [];
    const fallback =
      kind === 'start'
        ? config.warmupTimeSeconds
        : config.warmupTimeSeconds * DEFAULT_LAUNCH_FACTOR;
    const lead = bootEstimate(samples, fallback).leadMs;
    cache.set(cacheKey, lead);
    return lead;
  };
}
