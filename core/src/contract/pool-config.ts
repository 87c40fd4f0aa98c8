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
  updatedAt: number | null;
  updatedBy: string | null;
}

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
  updatedAt: null,
  updatedBy: null,
});

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
    const value = (key: 'minWarmVMs' | 'maxTotalVMs' | 'maxConcurrent') =>
      typeof partial?.[key] === 'number' ? (partial[key] as number) : D[key];
    if (fieldsOk('maxTotalVMs')) {
      errors.push(
        ...invariantErrors(
          value('minWarmVMs'),
          value('maxTotalVMs'),
          value('maxConcurrent'),
          fieldsOk,
        ),
      );
    }
    return fail(errors);
  }
  const config = result.data;
  const errors = invariantErrors(
    config.minWarmVMs,
    config.maxTotalVMs,
    config.maxConcurrent,
    () => true,
  );
  return errors.length > 0 ? fail(errors) : ok(config);
}

function invariantErrors(
  minWarmVMs: number,
  maxTotalVMs: number,
  maxConcurrent: number,
  fieldOk: (key: keyof PoolConfig) => boolean,
): string[] {
  const errors: string[] = [];
  if (fieldOk('minWarmVMs') && minWarmVMs > maxTotalVMs) {
    errors.push(`minWarmVMs: must be <= maxTotalVMs (${maxTotalVMs})`);
  }
  if (fieldOk('maxConcurrent') && maxConcurrent > maxTotalVMs) {
    errors.push(`maxConcurrent: must be <= maxTotalVMs (${maxTotalVMs})`);
  }
  return errors;
}
