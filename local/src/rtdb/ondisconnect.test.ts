import { describe, expect, it } from 'vitest';
import { DisconnectQueue, withoutChild } from './ondisconnect';

describe('withoutChild', () => {
  it('removes nested children, converting arrays to keyed objects', () => {
    expect(withoutChild({ a: { b: 1, c: 2 } }, ['a', 'b'])).toEqual({ a: { c: 2 } });
    expect(withoutChild([1, 2, 3], ['1'])).toEqual({ 0: 1, 2: 3 });
    expect(withoutChild({ a: 1 }, ['x'])).toEqual({ a: 1 });
    expect(withoutChild('leaf', ['x'])).toBe('leaf');
    expect(withoutChild({ a: 1 }, [])).toBeNull();
  });
});

describe('DisconnectQueue', () => {
  it('cancels operations at and below a path', () => {
    const q = new DisconnectQueue();
    q.add({ kind: 'set', path: ['a', 'b'], data: 1 });
    q.add({ kind: 'merge', path: ['a'], data: { 'b/c': 1, d: 2 } });
    q.add({ kind: 'set', path: ['z'], data: 3 });
    q.cancel(['a']);
    expect(q.take()).toEqual([{ kind: 'set', path: ['z'], data: 3 }]);
    expect(q.take()).toEqual([]);
  });

  it('removes the cancelled path from operations queued above it', () => {
    const q = new DisconnectQueue();
    q.add({ kind: 'set', path: ['a'], data: { b: 1, c: 2 } });
    q.add({ kind: 'merge', path: ['m'], data: { 'x/y': 1, x: { y: 1, z: 2 }, w: 3 } });
    q.add({ kind: 'merge', path: ['only'], data: { k: 1 } });
    q.cancel(['a', 'b']);
    q.cancel(['m', 'x', 'y']);
    q.cancel(['only', 'k']);
    expect(q.take()).toEqual([
      { kind: 'set', path: ['a'], data: { c: 2 } },
      { kind: 'merge', path: ['m'], data: { x: { z: 2 }, w: 3 } },
    ]);
  });
});
