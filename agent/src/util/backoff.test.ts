import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff';

describe('backoffDelay', () => {
  it('grows exponentially and stays within [ceiling/2, ceiling]', () => {
    const low = (attempt: number) => backoffDelay(attempt, DEFAULT_BACKOFF, () => 0);
    const high = (attempt: number) => backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.999999);
    expect([low(0), low(1), low(2), low(3)]).toEqual([500, 1000, 2000, 4000]);
    expect([high(0), high(1), high(2)]).toEqual([1000, 2000, 4000]);
  });

  it('is capped at maxMs however many attempts failed', () => {
    expect(backoffDelay(50, DEFAULT_BACKOFF, () => 0.999999)).toBe(60_000);
    expect(backoffDelay(50, DEFAULT_BACKOFF, () => 0)).toBe(30_000);
  });

  it('treats a negative attempt as the first one', () => {
    expect(backoffDelay(-3, DEFAULT_BACKOFF, () => 0)).toBe(500);
  });
});
