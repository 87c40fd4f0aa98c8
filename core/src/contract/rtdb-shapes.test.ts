import { describe, expect, it } from 'vitest';
import { listFromRtdb } from './rtdb-shapes';

describe('listFromRtdb', () => {
  it('turns missing values into empty lists', () => {
    expect(listFromRtdb(undefined)).toEqual([]);
    expect(listFromRtdb(null)).toEqual([]);
  });

  it('orders numeric-keyed objects and drops the gaps RTDB leaves', () => {
    expect(listFromRtdb({ 10: 'c', 2: 'b', 0: 'a' })).toEqual(['a', 'b', 'c']);
    expect(listFromRtdb(['a', null, 'b'])).toEqual(['a', 'b']);
  });

  it('leaves other shapes for the schema to reject', () => {
    expect(listFromRtdb({ a: 1 })).toEqual({ a: 1 });
    expect(listFromRtdb('x')).toBe('x');
  });
});
