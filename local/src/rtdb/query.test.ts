import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './paths';
import {
  applyQuery,
  firstOrLast,
  isFiltering,
  parseQuery,
  rulesQueryOf,
  sortedChildren,
} from './query';
import { exportNode, nodeFromJson, type Branch } from './tree';

const data = nodeFromJson(
  {
    a: { n: 3 },
    b: { n: 1 },
    c: { n: 2 },
    d: { m: 1 },
    e: { n: 2 },
    '5': { n: 'x' },
    '.priority': 9,
  },
  null,
  { now: 0 },
);
const keysOf = (q: unknown): string[] => {
  const out = applyQuery(data, parseQuery(q));
  return out === null || out.kind === 'leaf'
    ? []
    : sortedChildren(out, parseQuery(q).index).map(([k]) => k);
};

describe('parseQuery', () => {
  it('reads the wire object', () => {
    const spec = parseQuery({ sp: 3, sn: '[MAX_NAME]', sin: false, l: 4, vf: 'r', i: '.value' });
    expect(spec.index).toEqual({ kind: 'value' });
    expect(spec.start?.inclusive).toBe(false);
    expect(spec.fromLeft).toBe(false);
    expect(isFiltering(parseQuery({ i: 'n' }))).toBe(false);
    expect(isFiltering(parseQuery({ l: 1 }))).toBe(true);
  });
  it('rejects malformed queries', () => {
    for (const bad of [
      { l: 0 },
      { l: 1.5 },
      { i: 5 },
      { vf: 'x' },
      { sp: {} },
      { i: '.key', sp: 1 },
      'q',
    ]) {
      expect(() => parseQuery(bad), JSON.stringify(bad)).toThrow(InvalidInputError);
    }
  });
});

describe('applyQuery', () => {
  it('returns the node unchanged without filters', () => {
    expect(applyQuery(data, parseQuery({ i: 'n' }))).toBe(data);
  });
  it('filters by child with ranges, keys and limits', () => {
    expect(keysOf({ i: 'n', l: 2, vf: 'l' })).toEqual(['d', 'b']);
    expect(keysOf({ i: 'n', l: 2, vf: 'r' })).toEqual(['a', '5']);
    expect(keysOf({ i: 'n', sp: 2, sin: true, ep: 2, ein: true })).toEqual(['c', 'e']);
    expect(keysOf({ i: 'n', sp: 2, sn: 'd', sin: true, ep: 2, ein: true })).toEqual(['e']);
    expect(keysOf({ i: 'n', sp: 2, sn: '[MAX_NAME]', sin: false })).toEqual(['a', '5']);
    expect(keysOf({ i: 'n', ep: 2, en: '[MIN_NAME]', ein: false })).toEqual(['d', 'b']);
  });
  it('filters by key', () => {
    expect(keysOf({ i: '.key', sp: 'b', ep: 'd' })).toEqual(['b', 'c', 'd']);
    expect(keysOf({ i: '.key', sp: 'b', sin: false, l: 1, vf: 'l' })).toEqual(['c']);
    expect(keysOf({ i: '.key', l: 1, vf: 'l' })).toEqual(['5']);
  });
  it('drops the location priority from filtered results and empties leaves', () => {
    const out = applyQuery(data, parseQuery({ l: 1, vf: 'l' })) as Branch;
    expect(exportNode(out)).not.toHaveProperty('.priority');
    expect(applyQuery(nodeFromJson(5, null, { now: 0 }), parseQuery({ l: 1 }))).toBeNull();
  });
});

describe('rulesQueryOf', () => {
  it('reports equalTo, ranges, limits and the ordering as rules see them', () => {
    expect(
      rulesQueryOf(parseQuery({ sp: 'u1', sin: true, ep: 'u1', ein: true, i: 'owner' })),
    ).toEqual({
      orderByChild: 'owner',
      equalTo: 'u1',
    });
    expect(
      rulesQueryOf(
        parseQuery({ sp: 2, sn: 'k', sin: true, ep: 2, en: 'k', ein: true, i: '.value' }),
      ),
    ).toEqual({ orderByValue: true, equalTo: 2 });
    expect(rulesQueryOf(parseQuery({ sp: 'a', ep: 'c', i: '.key', l: 2, vf: 'r' }))).toEqual({
      orderByKey: true,
      startAt: 'a',
      endAt: 'c',
      limitToLast: 2,
    });
    expect(rulesQueryOf(parseQuery({ l: 1, vf: 'l' }))).toEqual({
      orderByPriority: true,
      limitToFirst: 1,
    });
  });
});

describe('firstOrLast', () => {
  it('equals sorting and slicing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 60 }),
        fc.boolean(),
        (values, limit, first) => {
          const items = values.map((v, i) => ({ v, i }));
          const cmp = (a: { v: number; i: number }, b: { v: number; i: number }): number =>
            a.v - b.v || a.i - b.i;
          const sorted = [...items].sort(cmp);
          const expected = first
            ? sorted.slice(0, limit)
            : sorted.slice(Math.max(0, sorted.length - limit));
          expect(firstOrLast(items, limit, first, cmp)).toEqual(expected);
        },
      ),
    );
  });
});
