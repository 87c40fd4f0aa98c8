import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POOL_CONFIG,
  instanceTypeOfPriceKey,
  offScheduleWarmMinimum,
  parsePoolConfig,
  priceKey,
} from './pool-config';

describe('parsePoolConfig', () => {
  it('returns every default when the config is missing', () => {
    expect(parsePoolConfig(undefined)).toEqual({ ok: true, value: DEFAULT_POOL_CONFIG });
    expect(parsePoolConfig(null)).toEqual({ ok: true, value: DEFAULT_POOL_CONFIG });
  });

  it('completes a partial config with defaults', () => {
    const parsed = parsePoolConfig({ minWarmVMs: 0, amiId: 'ami-0c398cb65a93047f2' });
    expect(parsed).toEqual({
      ok: true,
      value: { ...DEFAULT_POOL_CONFIG, minWarmVMs: 0, amiId: 'ami-0c398cb65a93047f2' },
    });
  });

  it('accepts 0 as "never auto-stop" and the documented bounds', () => {
    for (const hours of [0, 0.25, 72]) {
      expect(parsePoolConfig({ autoStopAfterHours: hours }).ok).toBe(true);
    }
    for (const hours of [0.1, 73, -1]) {
      expect(parsePoolConfig({ autoStopAfterHours: hours })).toEqual({
        ok: false,
        errors: ['autoStopAfterHours: must be 0 (never) or in 0.25..72'],
      });
    }
  });

  it('reports every problem together, invariants included', () => {
    const parsed = parsePoolConfig({
      minWarmVMs: 2.5,
      maxConcurrent: 9,
      warmupTimeSeconds: 5,
      awsRegion: 'mars',
      amiId: 'ami-xyz',
      instanceType: 'large',
      securityGroupId: 'sg-1',
      subnetId: 'net',
      instanceProfile: 'has space',
      keyPairName: 'k'.repeat(256),
      agentStaleSeconds: 901,
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual([
      'minWarmVMs: must be an integer',
      'warmupTimeSeconds: must be >= 10',
      'agentStaleSeconds: must be <= 900',
      'awsRegion: must be an AWS region such as us-east-1',
      'amiId: must look like ami-0123456789abcdef0 or be ""',
      'instanceType: must look like family.size, e.g. t3.large',
      'securityGroupId: must look like sg-0123456789abcdef0 or be ""',
      'subnetId: must look like subnet-0123456789abcdef0 or be ""',
      'keyPairName: must be at most 255 characters',
      'instanceProfile: must look like an IAM instance profile name or be ""',
      'maxConcurrent: must be <= maxTotalVMs (5)',
    ]);
  });

  it('checks the invariants against the configured maximum', () => {
    expect(parsePoolConfig({ maxTotalVMs: 3, minWarmVMs: 4, maxConcurrent: 3 })).toEqual({
      ok: false,
      errors: ['minWarmVMs: must be <= maxTotalVMs (3)'],
    });
    expect(parsePoolConfig({ maxTotalVMs: 3 })).toEqual({
      ok: false,
      errors: ['maxConcurrent: must be <= maxTotalVMs (3)'],
    });
  });

  it('skips invariants whose inputs are already invalid', () => {
    expect(parsePoolConfig({ maxTotalVMs: 0 })).toEqual({
      ok: false,
      errors: ['maxTotalVMs: must be >= 1'],
    });
    expect(parsePoolConfig({ maxConcurrent: 0, minWarmVMs: 60 })).toEqual({
      ok: false,
      errors: ['minWarmVMs: must be <= 50', 'maxConcurrent: must be >= 1'],
    });
  });

  it('validates tags: keys, values and count', () => {
    const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
    expect(parsePoolConfig({ tags: tooMany })).toEqual({
      ok: false,
      errors: ['tags: must have at most 20 tags'],
    });
    const parsed = parsePoolConfig({ tags: { 'aws:x': 'v', ok: 'v'.repeat(257) } });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual([
      'tags: invalid key "aws:x" (tag keys may not start with "aws:" or contain . $ # [ ] / or control characters)',
      'tags.ok: must be at most 256 characters',
    ]);
    expect(parsePoolConfig({ tags: { 'bad\u0001': 'v' } }).ok).toBe(false);
    expect(parsePoolConfig({ tags: { Team: 'crew' } })).toMatchObject({
      ok: true,
      value: { tags: { Team: 'crew' } },
    });
  });

  it('rejects a config that is not an object', () => {
    expect(parsePoolConfig('yes')).toEqual({ ok: false, errors: ['(root): must be an object'] });
  });

  it('drops unknown fields so older documents still load', () => {
    const parsed = parsePoolConfig({ defaultOBSPassword: 'secret' });
    expect(parsed).toEqual({ ok: true, value: DEFAULT_POOL_CONFIG });
  });

  it('keeps who changed it and when', () => {
    expect(parsePoolConfig({ updatedAt: 10, updatedBy: 'uid-1' })).toMatchObject({
      ok: true,
      value: { updatedAt: 10, updatedBy: 'uid-1' },
    });
  });

  it('has the stream alert thresholds: 5 % dropped frames, 1000 kbit/s floor (0 = off)', () => {
    expect(DEFAULT_POOL_CONFIG).toMatchObject({
      streamDroppedFramesPercentMax: 5,
      streamMinBitrateKbps: 1000,
    });
    expect(
      parsePoolConfig({ streamDroppedFramesPercentMax: 0.5, streamMinBitrateKbps: 0 }),
    ).toMatchObject({
      ok: true,
      value: { streamDroppedFramesPercentMax: 0.5, streamMinBitrateKbps: 0 },
    });
    expect(
      parsePoolConfig({ streamDroppedFramesPercentMax: 101, streamMinBitrateKbps: 1500.5 }),
    ).toEqual({
      ok: false,
      errors: [
        'streamDroppedFramesPercentMax: must be <= 100',
        'streamMinBitrateKbps: must be an integer',
      ],
    });
    expect(
      parsePoolConfig({ streamDroppedFramesPercentMax: -1, streamMinBitrateKbps: '900' }),
    ).toMatchObject({
      ok: false,
      errors: [
        'streamDroppedFramesPercentMax: must be >= 0',
        expect.stringMatching(/^streamMinBitrateKbps: /),
      ],
    });
  });

  it('has the schedule settings: pre-warm 30 min, auto-release 60 min, off-schedule minimum unset', () => {
    expect(DEFAULT_POOL_CONFIG).toMatchObject({
      preWarmMinutes: 30,
      autoReleaseAfterMinutes: 60,
      minWarmVMsOffSchedule: null,
      hourlyPrices: {},
    });
    expect(
      parsePoolConfig({
        preWarmMinutes: 720,
        autoReleaseAfterMinutes: 0,
        minWarmVMsOffSchedule: 0,
      }),
    ).toMatchObject({
      ok: true,
      value: { preWarmMinutes: 720, autoReleaseAfterMinutes: 0, minWarmVMsOffSchedule: 0 },
    });
    expect(
      parsePoolConfig({
        preWarmMinutes: 0,
        autoReleaseAfterMinutes: 1441,
        minWarmVMsOffSchedule: 2.5,
      }),
    ).toEqual({
      ok: false,
      errors: [
        'preWarmMinutes: must be >= 1',
        'autoReleaseAfterMinutes: must be <= 1440',
        'minWarmVMsOffSchedule: must be an integer',
      ],
    });
    expect(parsePoolConfig({ preWarmMinutes: 721 })).toEqual({
      ok: false,
      errors: ['preWarmMinutes: must be <= 720'],
    });
  });

  it('keeps the off-schedule minimum within maxTotalVMs, together with the other invariants', () => {
    expect(parsePoolConfig({ maxTotalVMs: 3, minWarmVMsOffSchedule: 4 })).toEqual({
      ok: false,
      errors: [
        'maxConcurrent: must be <= maxTotalVMs (3)',
        'minWarmVMsOffSchedule: must be <= maxTotalVMs (3)',
      ],
    });
    expect(
      parsePoolConfig({ maxTotalVMs: 3, maxConcurrent: 3, minWarmVMsOffSchedule: 4, amiId: 'x' }),
    ).toEqual({
      ok: false,
      errors: [
        'amiId: must look like ami-0123456789abcdef0 or be ""',
        'minWarmVMsOffSchedule: must be <= maxTotalVMs (3)',
      ],
    });
  });

  it('reads the off-schedule minimum as the warm minimum when unset', () => {
    expect(offScheduleWarmMinimum({ minWarmVMs: 2, minWarmVMsOffSchedule: null })).toBe(2);
    expect(offScheduleWarmMinimum({ minWarmVMs: 2, minWarmVMsOffSchedule: 0 })).toBe(0);
  });

  it('validates the price overrides: price keys, USD 0..1000, at most 50', () => {
    expect(
      parsePoolConfig({ hourlyPrices: { t3_large: 0.0832, 'u-6tb1_metal': 54.6 } }),
    ).toMatchObject({
      ok: true,
      value: { hourlyPrices: { t3_large: 0.0832, 'u-6tb1_metal': 54.6 } },
    });
    const parsed = parsePoolConfig({
      hourlyPrices: { t3large: 1, g4dn_xlarge: -1, c5_xlarge: 'x' },
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual([
      'hourlyPrices: invalid key "t3large" (keys are instance types with . written as _, e.g. t3_large)',
      'hourlyPrices.g4dn_xlarge: must be >= 0',
      'hourlyPrices.c5_xlarge: must be a number',
    ]);
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`m${i}_large`, 1]));
    expect(parsePoolConfig({ hourlyPrices: many })).toEqual({
      ok: false,
      errors: ['hourlyPrices: must have at most 50 prices'],
    });
  });

  it('turns instance types into price keys and back', () => {
    expect(priceKey('t3.large')).toBe('t3_large');
    expect(priceKey('u-6tb1.metal')).toBe('u-6tb1_metal');
    expect(instanceTypeOfPriceKey('g4dn_xlarge')).toBe('g4dn.xlarge');
    expect(() => priceKey('t3_large')).toThrow(/not an instance type/);
    expect(() => instanceTypeOfPriceKey('t3.large')).toThrow(/not a price key/);
  });
});

// --- failover (issue 12) ---
describe('parsePoolConfig: failover fields', () => {
  it('defaults to auto after 30 s', () => {
    const parsed = parsePoolConfig({});
    expect(parsed.ok && parsed.value.failoverMode).toBe('auto');
    expect(parsed.ok && parsed.value.failoverAfterSeconds).toBe(30);
  });

  it('accepts the three modes and 10..600 s, and reports both fields together', () => {
    for (const mode of ['auto', 'confirm', 'off']) {
      expect(parsePoolConfig({ failoverMode: mode }).ok).toBe(true);
    }
    for (const seconds of [10, 600]) {
      expect(parsePoolConfig({ failoverAfterSeconds: seconds }).ok).toBe(true);
    }
    const parsed = parsePoolConfig({ failoverMode: 'sometimes', failoverAfterSeconds: 9 });
    expect(parsed.ok).toBe(false);
    const errors = parsed.ok ? [] : parsed.errors;
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^failoverMode: /);
    expect(errors[1]).toBe('failoverAfterSeconds: must be >= 10');
    expect(parsePoolConfig({ failoverAfterSeconds: 601 }).ok).toBe(false);
    expect(parsePoolConfig({ failoverAfterSeconds: 30.5 }).ok).toBe(false);
  });
});

// --- failover: the failed VM's action (issue 12) ---
describe('parsePoolConfig: failedVmAction', () => {
  it('defaults to reboot and accepts reboot or stop only', () => {
    const parsed = parsePoolConfig({});
    expect(parsed.ok && parsed.value.failedVmAction).toBe('reboot');
    for (const action of ['reboot', 'stop']) {
      const value = parsePoolConfig({ failedVmAction: action });
      expect(value.ok && value.value.failedVmAction).toBe(action);
    }
    for (const bad of ['terminate', '', 3, null]) {
      const value = parsePoolConfig({ failedVmAction: bad });
      expect(value.ok).toBe(false);
      expect(value.ok ? [] : value.errors[0]).toMatch(/^failedVmAction: /);
    }
  });
});
