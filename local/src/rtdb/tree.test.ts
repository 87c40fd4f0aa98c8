import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './paths';
import {
  countNodes,
  exportAt,
  exportNode,
  getNode,
  nodeForWrite,
  nodeFromJson,
  plainValue,
  setAt,
  type Node,
} from './tree';

const ctx = { now: 1000 };
const from = (v: unknown, existing: Node | null = null): Node | null =>
  nodeFromJson(v, existing, ctx);

describe('nodeFromJson / exportNode', () => {
  it('round-trips export format with priorities', () => {
    const v = { a: { '.value': 1, '.priority': 2 }, b: { c: 'x', '.priority': 'p' }, d: true };
    expect(exportNode(from(v))).toEqual(v);
  });
  it('drops nulls and empty objects, converts arrays', () => {
    expect(from({})).toBeNull();
    expect(from({ a: null, b: {} })).toBeNull();
    expect(exportNode(from([1, null, 3]))).toEqual({ 0: 1, 2: 3 });
    expect(from({ '.priority': 1 })).toBeNull();
  });
  it('rejects illegal keys, bad .value and non-finite numbers', () => {
    expect(() => from({ 'a.b': 1 })).toThrow(InvalidInputError);
    expect(() => from({ 'a/b': 1 })).toThrow(InvalidInputError);
    expect(() => from({ '.value': { a: 1 } })).toThrow(InvalidInputError);
    expect(() => from({ '.value': 1, x: 2 })).toThrow(InvalidInputError);
    expect(() => from({ a: 1, '.priority': true })).toThrow(InvalidInputError);
    expect(() => from(Number.NaN)).toThrow(InvalidInputError);
  });
  it('resolves server values against the existing node', () => {
    expect(exportNode(from({ '.sv': 'timestamp' }))).toBe(1000);
    expect(exportNode(from({ '.sv': { increment: 2 } }))).toBe(2);
    expect(exportNode(from({ '.sv': { increment: 2 } }, from(5)))).toBe(7);
    expect(exportNode(from({ '.sv': { increment: 2 } }, from('s')))).toBe(2);
    expect(exportNode(from({ n: { '.sv': { increment: 1 } } }, from({ n: 41 })))).toEqual({
      n: 42,
    });
    expect(exportNode(from({ a: 1, '.priority': { '.sv': 'timestamp' } }))).toEqual({
      a: 1,
      '.priority': 1000,
    });
    expect(() => from({ '.sv': 'bogus' })).toThrow(InvalidInputError);
    expect(() => from({ '.sv': 'timestamp', x: 1 })).toThrow(InvalidInputError);
  });
  it('limits nesting depth to 32 levels (production), path included', () => {
    const nested = (levels: number): unknown => {
      let deep: unknown = 1;
      for (let i = 0; i < levels; i++) deep = { a: deep };
      return deep;
    };
    expect(exportNode(from(nested(32)))).toEqual(nested(32));
    expect(() => from(nested(33))).toThrow(/maximum depth that can be written \(32\)/);
    expect(() => from(nested(600))).toThrow(InvalidInputError);
    const ctx = { now: 0 };
    expect(nodeForWrite(null, ['x', 'y'], nested(30), ctx)).not.toBeNull();
    expect(() => nodeForWrite(null, ['x', 'y'], nested(31), ctx)).toThrow(/maximum depth/);
  });
});

describe('setAt / getNode', () => {
  it('creates, replaces and prunes', () => {
    let root = setAt(null, ['a', 'b'], from(1));
    root = setAt(root, ['a', 'c'], from({ d: 2 }));
    expect(plainValue(root)).toEqual({ a: { b: 1, c: { d: 2 } } });
    root = setAt(root, ['a', 'b'], null);
    root = setAt(root, ['a', 'c', 'd'], null);
    expect(root).toBeNull();
  });
  it('replaces a leaf by a branch when writing below it', () => {
    let root = setAt(null, ['a'], from('leaf'));
    root = setAt(root, ['a', 'b'], from(1));
    expect(plainValue(root)).toEqual({ a: { b: 1 } });
    expect(setAt(root, ['a', 'b', 'c', 'd'], null)).toBe(root);
  });
  it('sets priorities through .priority paths', () => {
    let root = setAt(null, ['a'], from({ x: 1 }));
    root = setAt(root, ['a', '.priority'], nodeForWrite(root, ['a', '.priority'], 5, ctx));
    expect(exportAt(root, ['a', '.priority'])).toBe(5);
    expect(exportNode(getNode(root, ['a']))).toEqual({ x: 1, '.priority': 5 });
    root = setAt(root, ['a', '.priority'], nodeForWrite(root, ['a', '.priority'], null, ctx));
    expect(exportNode(root)).toEqual({ a: { x: 1 } });
    expect(setAt(root, ['none', '.priority'], from(1))).toBe(root);
    expect(countNodes(root)).toBe(3);
  });
});

describe('unchanged children of a write stay the same nodes', () => {
  it('keeps the nodes a write leaves as they were, and only those', () => {
    const root = from({ vm: { a: { x: 1, y: 2 }, b: 'old', p: { '.value': 1, '.priority': 1 } } });
    const before = getNode(root, ['vm']);
    const a = getNode(root, ['vm', 'a']);
    const p = getNode(root, ['vm', 'p']);
    const next = nodeForWrite(
      root,
      ['vm'],
      { a: { x: 1, y: 2 }, b: 'new', p: { '.value': 1, '.priority': 2 } },
      ctx,
    );
    expect(getNode(next, ['a'])).toBe(a);
    expect(getNode(next, ['p'])).not.toBe(p);
    // Building the write changed nothing in the live tree.
    expect(exportNode(root)).toEqual({
      vm: { a: { x: 1, y: 2 }, b: 'old', p: { '.value': 1, '.priority': 1 } },
    });
    expect(getNode(root, ['vm'])).toBe(before);
    // A different order of the same children is a different node (export order is kept).
    const reordered = nodeForWrite(root, ['vm'], { a: { y: 2, x: 1 } }, ctx);
    expect(getNode(reordered, ['a'])).not.toBe(a);
    expect(Object.keys(exportNode(getNode(reordered, ['a'])) as object)).toEqual(['y', 'x']);
  });

  it('gives the same data as writes built against a copy of the tree, for any writes', () => {
    const key = fc.constantFrom('a', 'b', 'c');
    const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      value: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(1, 2, 'x', true, -0, 0) },
        { weight: 1, arbitrary: fc.constant(null) },
        {
          weight: 1,
          arbitrary: fc.record({
            '.value': fc.constantFrom(1, 'x'),
            '.priority': fc.constantFrom(1, 'p'),
          }),
        },
        { weight: 3, arbitrary: fc.dictionary(key, tie('value'), { maxKeys: 3 }) },
      ),
    })).value;
    const write = fc.record({
      path: fc.array(key, { maxLength: 3 }),
      value,
      priority: fc.boolean(),
    });
    // Each batch is built against the tree as it was, then applied in order (as an update).
    const batches = fc.array(fc.array(write, { minLength: 1, maxLength: 3 }), { maxLength: 8 });
    fc.assert(
      fc.property(batches, (steps) => {
        let live: Node | null = null;
        let model: Node | null = null;
        for (const batch of steps) {
          const copy = from(exportNode(model));
          const built = batch.map((w) => {
            const path = w.priority ? [...w.path, '.priority'] : w.path;
            const raw = w.priority ? (typeof w.value === 'number' ? w.value : null) : w.value;
            return {
              path,
              live: nodeForWrite(live, path, raw, ctx),
              model: nodeForWrite(copy, path, raw, ctx),
            };
          });
          model = copy;
          for (const b of built) {
            live = setAt(live, b.path, b.live);
            model = setAt(model, b.path, b.model);
          }
          expect(exportNode(live)).toEqual(exportNode(model));
          expect(JSON.stringify(exportNode(live))).toBe(JSON.stringify(exportNode(model)));
        }
      }),
      { numRuns: 200 },
    );
  });
});
