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
