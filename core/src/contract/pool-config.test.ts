import { describe, expect, it } from 'vitest';
import { DEFAULT_POOL_CONFIG, parsePoolConfig } from './pool-config';

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
});
