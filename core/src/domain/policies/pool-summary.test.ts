import { describe, expect, it } from 'vitest';
import { readPoolSummary } from '../../contract/pool-summary';
import { summarizePool } from './pool-summary';

describe('pool summary', () => {
  it('counts VMs by status, with the free warm and the free cold ones', () => {
    const summary = summarizePool(
      [
        { status: 'available', assigned: false },
        { status: 'available', assigned: false },
        { status: 'assigned', assigned: true },
        { status: 'stopped', assigned: false },
        { status: 'starting', assigned: true },
      ],
      90,
      7,
      1000,
    );
    expect(summary).toMatchObject({ total: 5, ready: 2, cold: 1, agentStaleSeconds: 90, seq: 7 });
    expect(summary.counts.available).toBe(2);
    expect(summary.counts.starting).toBe(1);
    expect(summary.counts.error).toBe(0);
    expect(readPoolSummary(summary)).toEqual(summary);
  });

  it('reads nothing as no summary', () => {
    expect(readPoolSummary(null)).toBeNull();
    expect(readPoolSummary({ total: 'x' })).toBeNull();
  });
});
