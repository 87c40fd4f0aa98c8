import { z } from 'zod';
import {
  AWS_REGION_PATTERN,
  hasControlCharacter,
  ILLEGAL_KEY_CHARS,
  INSTANCE_TYPE_PATTERN,
} from './ids';
import { fail, formatIssues, ok, type Parsed } from './parsed';

/** `vmPool/config`. See docs/contract.md for the meaning of each field. */
export interface PoolConfig {
  minWarmVMs: number;
  maxTotalVMs: number;
  maxConcurrent: number;
  /** 0 disables idle auto-stop. */
  autoStopAfterHours: number;
  warmupTimeSeconds: number;
  agentStaleSeconds: number;
  awsRegion: string;
  /** "" until set; launches are refused while it is empty. */
  amiId: string;
  instanceType: string;
  securityGroupId: string;
  subnetId: string;
  keyPairName: string;
  instanceProfile: string;
  tags: Record<string, string>;
  /** A scheduled show has a ready VM this many minutes before its start. */
  preWarmMinutes: number;
  /** A show's VM is released this many minutes after its end (unless live); 0 disables. */
  autoReleaseAfterMinutes: number;
  /** The warm minimum while no scheduled show is inside its pre-warm window; null: minWarmVMs. */
  minWarmVMsOffSchedule: number | null;
  /**
   * USD per hour by instance type, overriding core's price table. Keys are price keys (the
   * instance type with `.` written as `_`, since RTDB keys cannot hold a dot): see priceKey().
   */
  hourlyPrices: Record<string, number>;
  /**
   * Self-healing (core's domain/recovery.ts): after this many automatic recoveries of one VM
   * within `recoveryWindowMinutes` that ended in `error` again, the VM stays in `error` and an
   * admin is alerted (critical, "needs an admin"). 0 turns automatic recovery off.
   */
  recoveryMaxAttempts: number;
  /** The window, in minutes, in which `recoveryMaxAttempts` recoveries are counted. */
  recoveryWindowMinutes: number;
  // --- failover (issue 12) ---
  /**
   * What happens when a VM holding a competition fails: `auto` switches the show to a spare,
   * `confirm` offers the switch in the alert, `off` only alerts.
   */
  failoverMode: FailoverMode;
  /** How long a failure must last before the failover (or its offer) happens. */
  failoverAfterSeconds: number;
  /**
   * What the switch does with the failed VM once the show is off it (it stays in `error` until
   * healthy): `reboot` it (a hung instance comes back; it rejoins the pool once its agent reports
   * healthy) or `stop` it (it rejoins the pool stopped, started again only when needed).
   */
  failedVmAction: FailedVmAction;
  // --- end failover ---
  // --- Stream health alerts (issue 15)
  /** Dropped frames over the agent's one-minute window above this percentage: a warning. */
  streamDroppedFramesPercentMax: number;
  /** An active stream below this bitrate (kbit/s): a warning; 0 disables it. */
  streamMinBitrateKbps: number;
  // ---
  // --- Status history retention (issue 13)
  /**
   * Status history entries older than this many days are pruned by reconcile, once the monthly
   * cost rollup has counted them (a month is pruned only after its rollup is final).
   */
  statusHistoryRetentionDays: number;
  // ---
  updatedAt: number | null;
  updatedBy: string | null;
}

/** `PoolConfig.failoverMode` values. */
export const FAILOVER_MODES = ['auto', 'confirm', 'off'] as const;
export type FailoverMode = (typeof FAILOVER_MODES)[number];

/** `PoolConfig.failedVmAction` values: what happens to a VM a failover took a show from. */
export const FAILED_VM_ACTIONS = ['reboot', 'stop'] as const;
export type FailedVmAction = (typeof FAILED_VM_ACTIONS)[number];

export const POOL_CONFIG_LIMITS = {
  minWarmVMs: { min: 0, max: 50 },
  maxTotalVMs: { min: 1, max: 200 },
  maxConcurrent: { min: 1, max: 200 },
  /** 0 (never) or within min..max. */
  autoStopAfterHours: { min: 0.25, max: 72 },
  warmupTimeSeconds: { min: 10, max: 1800 },
  agentStaleSeconds: { min: 15, max: 900 },
  keyPairNameMaxLength: 255,
  maxTags: 20,
  tagKeyMaxLength: 128,
  tagValueMaxLength: 256,
  preWarmMinutes: { min: 1, max: 720 },
  autoReleaseAfterMinutes: { min: 0, max: 1440 },
  minWarmVMsOffSchedule: { min: 0, max: 50 },
  /** USD per instance hour. */
  hourlyPrice: { min: 0, max: 1000 },
  maxHourlyPrices: 50,
  recoveryMaxAttempts: { min: 0, max: 20 },
  recoveryWindowMinutes: { min: 1, max: 1440 },
  failoverAfterSeconds: { min: 10, max: 600 },
  // --- Stream health alerts (issue 15)
  streamDroppedFramesPercentMax: { min: 0, max: 100 },
  streamMinBitrateKbps: { min: 0, max: 100_000 },
  // ---
  // --- Status history retention (issue 13): more than a month, so the previous month's
  // rollup always finishes before its entries may go.
  statusHistoryRetentionDays: { min: 35, max: 3650 },
  // ---
} as const;

export const DEFAULT_POOL_CONFIG: Readonly<PoolConfig> = Object.freeze({
  minWarmVMs: 2,
  maxTotalVMs: 5,
  maxConcurrent: 4,
  autoStopAfterHours: 2,
  warmupTimeSeconds: 180,
  agentStaleSeconds: 60,
  awsRegion: 'us-east-1',
  amiId: '',
  instanceType: 't3.large',
  securityGroupId: '',
  subnetId: '',
  keyPairName: '',
  instanceProfile: '',
  tags: Object.freeze({ Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' }) as Record<
    string,
    string
  >,
  preWarmMinutes: 30,
  autoReleaseAfterMinutes: 60,
  minWarmVMsOffSchedule: null,
  hourlyPrices: Object.freeze({}) as Record<string, number>,
  recoveryMaxAttempts: 3,
  recoveryWindowMinutes: 30,
  failoverMode: 'auto',
  failoverAfterSeconds: 30,
  failedVmAction: 'reboot',
  // --- Stream health alerts (issue 15)
  streamDroppedFramesPercentMax: 5,
  streamMinBitrateKbps: 1000,
  // ---
  // --- Status history retention (issue 13)
  statusHistoryRetentionDays: 90,
  // ---
  updatedAt: null,
  updatedBy: null,
});

/** RTDB keys cannot contain `.`: instance types are written with `_` in `hourlyPrices`. */
export const PRICE_KEY_PATTERN = /^[a-z][a-z0-9-]*_[a-z0-9]+$/;

/** The `hourlyPrices` key of an instance type: `t3.large` → `t3_large`. */
export function priceKey(instanceType: string): string {
  if (!INSTANCE_TYPE_PATTERN.test(instanceType)) {
    throw new Error(`priceKey: "${instanceType}" is not an instance type such as t3.large`);
  }
  return instanceType.replace('.', '_');
}

/** The instance type of an `hourlyPrices` key: `t3_large` → `t3.large`. */
export function instanceTypeOfPriceKey(key: string): string {
  if (!PRICE_KEY_PATTERN.test(key)) {
    throw new Error(`instanceTypeOfPriceKey: "${key}" is not a price key such as t3_large`);
  }
  return key.replace('_', '.');
}

/** The warm minimum while no scheduled show is inside its pre-warm window. */
export function offScheduleWarmMinimum(
  config: Pick<PoolConfig, 'minWarmVMs' | 'minWarmVMsOffSchedule'>,
): number {
  return config.minWarmVMsOffSchedule ?? config.minWarmVMs;
}

const L = POOL_CONFIG_LIMITS;
const D = DEFAULT_POOL_CONFIG;

function intIn(limits: { min: number; max: number }, fallback: number) {
  return z.number().int().min(limits.min).max(limits.max).default(fallback);
}

function idOrEmpty(pattern: RegExp, shape: string) {
  return z
    .string()
    .refine((value) => value === '' || pattern.test(value), {
      error: `must look like ${shape} or be ""`,
    })
    .default('');
}

// AWS tag keys may not start with "aws:"; RTDB keys may not contain . $ # [ ] /.
const tagKey = z
  .string()
  .min(1)
  .max(L.tagKeyMaxLength)
  .refine(
    (key) => !key.startsWith('aws:') && !ILLEGAL_KEY_CHARS.test(key) && !hasControlCharacter(key),
    { error: 'tag keys may not start with "aws:" or contain . $ # [ ] / or control characters' },
  );

const poolConfigSchema = z.object({
  minWarmVMs: intIn(L.minWarmVMs, D.minWarmVMs),
  maxTotalVMs: intIn(L.maxTotalVMs, D.maxTotalVMs),
  maxConcurrent: intIn(L.maxConcurrent, D.maxConcurrent),
  autoStopAfterHours: z
    .number()
    .refine(
      (hours) =>
        hours === 0 || (hours >= L.autoStopAfterHours.min && hours <= L.autoStopAfterHours.max),
      {
        error: `must be 0 (never) or in ${L.autoStopAfterHours.min}..${L.autoStopAfterHours.max}`,
      },
    )
    .default(D.autoStopAfterHours),
  warmupTimeSeconds: intIn(L.warmupTimeSeconds, D.warmupTimeSeconds),
  agentStaleSeconds: intIn(L.agentStaleSeconds, D.agentStaleSeconds),
  awsRegion: z
    .string()
    .regex(AWS_REGION_PATTERN, { error: 'must be an AWS region such as us-east-1' })
    .default(D.awsRegion),
  amiId: idOrEmpty(/^ami-[0-9a-f]{8,17}$/, 'ami-0123456789abcdef0'),
  instanceType: z
    .string()
    .regex(INSTANCE_TYPE_PATTERN, { error: 'must look like family.size, e.g. t3.large' })
    .default(D.instanceType),
  securityGroupId: idOrEmpty(/^sg-[0-9a-f]{8,17}$/, 'sg-0123456789abcdef0'),
  subnetId: idOrEmpty(/^subnet-[0-9a-f]{8,17}$/, 'subnet-0123456789abcdef0'),
  keyPairName: z.string().max(L.keyPairNameMaxLength).default(''),
  instanceProfile: idOrEmpty(/^[\w+=,.@-]{1,128}$/, 'an IAM instance profile name'),
  tags: z
    .record(tagKey, z.string().max(L.tagValueMaxLength))
    .refine((tags) => Object.keys(tags).length <= L.maxTags, {
      error: `must have at most ${L.maxTags} tags`,
    })
    .default(() => ({ ...D.tags })),
  preWarmMinutes: intIn(L.preWarmMinutes, D.preWarmMinutes),
  autoReleaseAfterMinutes: intIn(L.autoReleaseAfterMinutes, D.autoReleaseAfterMinutes),
  minWarmVMsOffSchedule: z
    .number()
    .int()
    .min(L.minWarmVMsOffSchedule.min)
    .max(L.minWarmVMsOffSchedule.max)
    .nullable()
    .default(null),
  hourlyPrices: z
    .record(
      z.string().regex(PRICE_KEY_PATTERN, {
        error: 'keys are instance types with . written as _, e.g. t3_large',
      }),
      z.number().min(L.hourlyPrice.min).max(L.hourlyPrice.max),
    )
    .refine((prices) => Object.keys(prices).length <= L.maxHourlyPrices, {
      error: `must have at most ${L.maxHourlyPrices} prices`,
    })
    .default(() => ({})),
  recoveryMaxAttempts: intIn(L.recoveryMaxAttempts, D.recoveryMaxAttempts),
  recoveryWindowMinutes: intIn(L.recoveryWindowMinutes, D.recoveryWindowMinutes),
  failoverMode: z.enum(FAILOVER_MODES).default(D.failoverMode),
  failoverAfterSeconds: intIn(L.failoverAfterSeconds, D.failoverAfterSeconds),
  failedVmAction: z.enum(FAILED_VM_ACTIONS).default(D.failedVmAction),
  // --- Stream health alerts (issue 15)
  streamDroppedFramesPercentMax: z
    .number()
    .min(L.streamDroppedFramesPercentMax.min)
    .max(L.streamDroppedFramesPercentMax.max)
    .default(D.streamDroppedFramesPercentMax),
  streamMinBitrateKbps: intIn(L.streamMinBitrateKbps, D.streamMinBitrateKbps),
  // ---
  // --- Status history retention (issue 13)
  statusHistoryRetentionDays: intIn(L.statusHistoryRetentionDays, D.statusHistoryRetentionDays),
  // ---
  updatedAt: z.number().int().nonnegative().nullable().default(null),
  updatedBy: z.string().max(128).nullable().default(null),
});

/**
 * Validates `vmPool/config`. Missing means all defaults; a partial config is completed with
 * defaults; every problem (field limits and cross-field invariants) is reported together.
 * Unknown fields are dropped, so a config written by an older version still loads.
 */
export function parsePoolConfig(raw: unknown): Parsed<PoolConfig> {
  const result = poolConfigSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!result.success) {
    const errors = formatIssues(result.error.issues);
    const partial = raw as Partial<Record<keyof PoolConfig, unknown>> | null | undefined;
    // Invariants are still checked when both sides are individually valid, so the user
    // sees every problem at once.
    const fieldsOk = (key: keyof PoolConfig) =>
      !result.error.issues.some((issue) => issue.path[0] === key);
    const value = (key: BoundedByTotal) =>
      typeof partial?.[key] === 'number' ? (partial[key] as number) : D[key];
    const maxTotalVMs =
      typeof partial?.maxTotalVMs === 'number' ? partial.maxTotalVMs : D.maxTotalVMs;
    if (fieldsOk('maxTotalVMs')) {
      errors.push(...invariantErrors(value, maxTotalVMs, fieldsOk));
    }
    return fail(errors);
  }
  const config = result.data;
  const errors = invariantErrors(
    (key) => config[key],
    config.maxTotalVMs,
    () => true,
  );
  return errors.length > 0 ? fail(errors) : ok(config);
}

/** The fields that may not exceed maxTotalVMs, in the order their errors are reported. */
const BOUNDED_BY_TOTAL = ['minWarmVMs', 'maxConcurrent', 'minWarmVMsOffSchedule'] as const;
type BoundedByTotal = (typeof BOUNDED_BY_TOTAL)[number];

function invariantErrors(
  value: (key: BoundedByTotal) => number | null,
  maxTotalVMs: number,
  fieldOk: (key: keyof PoolConfig) => boolean,
): string[] {
  const errors: string[] = [];
  for (const key of BOUNDED_BY_TOTAL) {
    const bounded = value(key);
    if (fieldOk(key) && bounded !== null && bounded > maxTotalVMs) {
      errors.push(`${key}: must be <= maxTotalVMs (${maxTotalVMs})`);
    }
  }
  return errors;
}
