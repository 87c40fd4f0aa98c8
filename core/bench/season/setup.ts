// The season the bench and its test simulate: the three policies' pool configs, the simulated
// compute's distributions, and the figures computed from a run.
import {
  DEFAULT_POOL_CONFIG,
  priceLookup,
  statusIntervals,
  summariseCost,
  clipInterval,
  type PoolConfig,
} from '../../src/index';
import type { Rng } from './rng';
import type { SeasonShow } from './season';
import { simulateSeason, type PolicyName, type SimCompute, type SimResult } from './sim';

const MINUTE = 60_000;
const HOUR = 3_600_000;

export interface SeasonKnobs {
  instanceType: string;
  /** vmpool: preWarmMinutes; every policy: producers arrive this long before the start. */
  preWarmMinutes: number;
  /** vmpool: autoReleaseAfterMinutes. */
  autoReleaseAfterMinutes: number;
  /** Start-to-ready of a stopped VM: log-normal median (s) and sigma. */
  bootMedianSeconds: number;
  bootSigma: number;
  tickMs: number;
}

export const DEFAULT_KNOBS: SeasonKnobs = {
  instanceType: 'g4dn.xlarge',
  preWarmMinutes: 5,
  autoReleaseAfterMinutes: 2,
  bootMedianSeconds: 150,
  bootSigma: 0.12,
  tickMs: MINUTE,
};

/** The PRD's pool (5 VMs, 4 shows at once), launch settings complete. */
function basePool(knobs: SeasonKnobs): PoolConfig {
  return {
    ...DEFAULT_POOL_CONFIG,
    tags: { ...DEFAULT_POOL_CONFIG.tags },
    hourlyPrices: {},
    amiId: 'ami-0123456789abcdef0',
    subnetId: 'subnet-0123456789abcdef0',
    securityGroupId: 'sg-0123456789abcdef0',
    instanceType: knobs.instanceType,
    maxTotalVMs: 5,
    maxConcurrent: 4,
  };
}

export const POLICY_LABELS: Record<PolicyName, string> = {
  manual: 'manual',
  static: 'PRD static',
  vmpool: 'vmpool',
};

/** Each policy's pool config. */
export function policyConfig(policy: PolicyName, knobs: SeasonKnobs): PoolConfig {
  const base = basePool(knobs);
  switch (policy) {
    // Today: every VM stopped; a producer's click cold-starts one; release stops it.
    case 'manual':
      return { ...base, minWarmVMs: 0, autoReleaseAfterMinutes: 0 };
    // The PRD: 2 VMs warm around the clock, released VMs back to the pool, idle extras
    // stopped after the default 2 hours.
    case 'static':
      return { ...base, minWarmVMs: 2, autoReleaseAfterMinutes: 0 };
    // The schedule: nothing warm between shows; VMs ready preWarmMinutes before each start,
    // released autoReleaseAfterMinutes after each end.
    case 'vmpool':
      return {
        ...base,
        minWarmVMs: 0,
        minWarmVMsOffSchedule: 0,
        preWarmMinutes: knobs.preWarmMinutes,
        autoReleaseAfterMinutes: knobs.autoReleaseAfterMinutes,
      };
  }
}

/** The simulated cloud, drawing from `rng`. */
export function simCompute(rng: Rng, knobs: SeasonKnobs): SimCompute {
  return {
    bootSeconds: (kind) =>
      Math.round(
        rng.logNormal(knobs.bootMedianSeconds * (kind === 'launch' ? 1.5 : 1), knobs.bootSigma),
      ),
    releaseSeconds: () => Math.round(rng.uniform(60, 180)),
    stopSeconds: () => Math.round(rng.uniform(30, 60)),
    warmAssignSeconds: () => Math.round(rng.uniform(3, 10)),
  };
}

export interface PolicyFigures {
  policy: PolicyName;
  usd: number;
  billableHours: number;
  idleHours: number;
  maxWaitSeconds: number;
  p90WaitSeconds: number;
  showsThatWaited: number;
  conflicts: number;
  maxHeld: number;
  maxVms: number;
  scheduleRequests: { assign: number; release: number };
  result: SimResult;
}

/** The floor: the shows' scheduled hours times the instance price. */
export function floorUsd(shows: readonly SeasonShow[], config: PoolConfig): number {
  const price = priceLookup(config)(config.instanceType);
  if (price === null) throw new Error(`no price for ${config.instanceType}`);
  return showHours(shows) * price;
}

export function showHours(shows: readonly SeasonShow[]): number {
  return shows.reduce((sum, show) => sum + (show.endsAt - show.startsAt) / HOUR, 0);
}

export function runPolicy(
  policy: PolicyName,
  season: { shows: readonly SeasonShow[]; from: number; to: number },
  knobs: SeasonKnobs,
  rng: Rng,
): PolicyFigures {
  const config = policyConfig(policy, knobs);
  const result = simulateSeason({
    policy,
    shows: season.shows,
    from: season.from,
    to: season.to,
    config,
    poolSize: config.maxTotalVMs,
    compute: simCompute(rng, knobs),
    setupLeadMs: knobs.preWarmMinutes * MINUTE,
    producerReleaseDelayMs: () => Math.round(rng.uniform(2, 8) * MINUTE),
    tickMs: knobs.tickMs,
  });
  // The bill, from the status history, exactly as the control plane will compute it.
  const intervals = result.histories.flatMap((history) =>
    statusIntervals(history.vmId, history.entries, season.to)
      .map((interval) => clipInterval(interval, season.from, season.to))
      .filter((interval) => interval !== null),
  );
  const cost = summariseCost(intervals, priceLookup(config));
  if (cost.unpricedSeconds > 0) throw new Error(`unpriced: ${cost.unpricedInstanceTypes.join()}`);
  const waits = result.shows.map((show) => show.waitMs / 1000).sort((a, b) => a - b);
  return {
    policy,
    usd: cost.usd,
    billableHours: cost.billableSeconds / 3600,
    idleHours: (cost.byAttribution.idle?.billableSeconds ?? 0) / 3600,
    maxWaitSeconds: waits.at(-1) ?? 0,
    p90WaitSeconds: waits[Math.max(0, Math.ceil(waits.length * 0.9) - 1)] ?? 0,
    showsThatWaited: waits.filter((wait) => wait > 0).length,
    conflicts: result.shows.filter((show) => show.conflict).length,
    maxHeld: result.maxHeld,
    maxVms: result.maxVms,
    scheduleRequests: result.scheduleRequests,
    result,
  };
}

/** The line `npm run bench:season` ends with. */
export function seasonSummaryLine(figures: {
  vmpoolUsd: number;
  floorUsd: number;
  staticUsd: number;
  maxWaitSeconds: number;
}): string {
  const money = (usd: number) => `$${usd.toFixed(2)}`;
  return `season: vmpool ${money(figures.vmpoolUsd)} (floor ${money(figures.floorUsd)}, PRD static ${money(figures.staticUsd)}), scheduled shows waited max ${Math.ceil(figures.maxWaitSeconds)} s`;
}
