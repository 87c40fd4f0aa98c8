import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientDoubleHex, hashNode } from './hash';
import { nodeFromJson } from './tree';

function ieeeHex(v: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}

describe('clientDoubleHex', () => {
  it('reproduces the client quirk just below powers of two', () => {
    expect(clientDoubleHex(63.99999999999999)).toBe('4050000000000000');
    expect(ieeeHex(63.99999999999999)).toBe('404fffffffffffff');
  });
  it('equals the IEEE bits for ordinary values', () => {
    for (const v of [0, 1, -1, 0.1, 10, -2.5, 1e300, 5e-324, Number.MAX_VALUE, 1234567.891]) {
      expect(clientDoubleHex(v), String(v)).toBe(ieeeHex(v));
    }
    expect(clientDoubleHex(-0)).toBe('8000000000000000');
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.integer({ min: 1, max: 1000 }),
        (n, d) => {
          const v = n / d + 0.1;
          return clientDoubleHex(v) === ieeeHex(v);
        },
      ),
    );
  });
});

describe('hashNode', () => {
  const node = (v: unknown) => nodeFromJson(v, null, { now: 0 });
  it('matches hashes the client sent', () => {
    // Observed from the SDK: a transaction on a cached 10 sent this hash.
    expect(hashNode(node(10))).toBe('+r5aI9HvKKagELki8SYKBk0q7D4=');
  });
  it('hashes null and empty as ""', () => {
    expect(hashNode(null)).toBe('');
    expect(hashNode(node({}))).toBe('');
  });
  it('depends on priorities and child order is by priority then key', () => {
    const a = hashNode(node({ x: 1, y: 2 }));
    expect(hashNode(node({ y: 2, x: 1 }))).toBe(a);
    expect(hashNode(node({ x: { '.value': 1, '.priority': 1 }, y: 2 }))).not.toBe(a);
    expect(hashNode(node({ x: 1, y: 2, '.priority': 'p' }))).not.toBe(a);
  });
});
