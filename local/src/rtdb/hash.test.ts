import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientDoubleHex, hashNode } from './hash';
import { exportNode, getNode, nodeForWrite, nodeFromJson, setAt, type Node } from './tree';

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

describe('hashNode kept per node', () => {
  const ctx = { now: 0 };
  const key = fc.constantFrom('a', 'b', 'c', '1', '10');
  const leafValue = fc.oneof(
    fc.integer(),
    fc.constantFrom('x', 'y', true, false, 63.99999999999999),
  );
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof(
      { weight: 3, arbitrary: leafValue },
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 2, arbitrary: fc.dictionary(key, tie('value'), { maxKeys: 3 }) },
    ),
  })).value;
  const write = fc.record({
    path: fc.array(key, { maxLength: 3 }),
    value,
    priority: fc.option(fc.oneof(fc.integer(), fc.constantFrom('p', 'q')), { nil: undefined }),
  });

  it('equals the hash of the same data built afresh, after any writes in place', () => {
    fc.assert(
      fc.property(fc.array(write, { maxLength: 12 }), (writes) => {
        let root: Node | null = null;
        for (const w of writes) {
          // Hash every node on the path first, so that stale entries would show.
          for (let depth = 0; depth <= w.path.length; depth += 1) {
            hashNode(getNode(root, w.path.slice(0, depth)));
          }
          const path = w.priority === undefined ? w.path : [...w.path, '.priority'];
          const raw = w.priority === undefined ? w.value : w.priority;
          root = setAt(root, path, nodeForWrite(root, path, raw, ctx));
          const fresh = nodeFromJson(exportNode(root), null, ctx);
          expect(hashNode(root)).toBe(hashNode(fresh));
          for (let depth = 0; depth <= w.path.length; depth += 1) {
            const at = w.path.slice(0, depth);
            expect(hashNode(getNode(root, at))).toBe(hashNode(getNode(fresh, at)));
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
