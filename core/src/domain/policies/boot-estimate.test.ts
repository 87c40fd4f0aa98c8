import { describe, expect, it } from 'vitest';
import { bootEstimate, bootLeads, MIN_BOOT_SAMPLES, percentile } from './boot-estimate';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 100)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([], 90)).toBeNaN();
  });
});

describe('bootEstimate', () => {
  it('is the measured p90 plus a quarter (at least a minute)', () => {
    const samples = [140, 150, 145, 160, 200, 150, 155, 148, 152, 170];
    expect(bootEstimate(samples, 180)).toEqual({
      samples: 10,
      source: 'measured',
      p50Ms: 150_000,
      p90Ms: 170_000,
      leadMs: 170_000 + 60_000,
    });
    expect(bootEstimate([400, 400, 400, 400, 400], 180).leadMs).toBe(500_000);
  });

  it('falls back to the configured warm-up time until enough starts are measured', () => {
    const few = Array.from({ length: MIN_BOOT_SAMPLES - 1 }, () => 100);
    expect(bootEstimate(few, 180)).toMatchObject({ source: 'default', p90Ms: 180_000 });
    expect(bootEstimate([], 180).leadMs).toBe(240_000);
    // A slow first measurement is not ignored.
    expect(bootEstimate([600], 180).p90Ms).toBe(600_000);
  });
});

describe('bootLeads', () => {
  it('looks measurements up by region and instance type, with defaults for starts and launches', () => {
    const stats = {
      'us-east-1': { g4dn_xlarge: { start: [100, 100, 100, 100, 100], launch: [], updatedAt: 1 } },
    };
    const lead = bootLeads(stats, { warmupTimeSeconds: 200 });
    expect(lead('us-east-1', 'g4dn.xlarge', 'start')).toBe(160_000);
    expect(lead('us-east-1', 'g4dn.xlarge', 'launch')).toBe(500_000);
    expect(lead('eu-west-1', 'g4dn.xlarge', 'start')).toBe(260_000);
    expect(lead('us-east-1', 'not a type', 'start')).toBe(260_000);
  });
});
