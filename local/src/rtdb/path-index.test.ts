import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PathIndex } from './path-index';
import { related, type Path } from './paths';

describe('PathIndex', () => {
  const path = fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 });
  const op = fc.record({ add: fc.boolean(), path, item: fc.integer({ min: 0, max: 5 }) });

  it('finds exactly the items at, above or below the given paths, after any adds and deletes', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 30 }),
        fc.array(path, { maxLength: 3 }),
        (ops, query) => {
          const index = new PathIndex<string>();
          const filed = new Map<string, Path>();
          for (const { add, path: at, item } of ops) {
            // Items are unique per path here, as listens are objects of their own.
            const id = `${item}@${at.join('/')}`;
            if (add) {
              index.add(at, id);
              filed.set(id, at);
            } else {
              index.delete(at, id);
              filed.delete(id);
            }
          }
          expect(index.size).toBe(filed.size);
          const found = new Set<string>();
          index.collectRelated(query, found);
          const expected = [...filed]
            .filter(([, at]) => query.some((q) => related(q, at)))
            .map(([id]) => id);
          expect([...found].sort()).toEqual(expected.sort());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('drops the slots a delete leaves empty', () => {
    const index = new PathIndex<number>();
    index.add(['a', 'b', 'c'], 1);
    index.add(['a'], 2);
    index.delete(['a', 'b', 'c'], 1);
    index.delete(['a', 'b', 'c'], 1);
    index.delete(['x'], 3);
    expect(index.size).toBe(1);
    const found = new Set<number>();
    index.collectRelated([['a', 'b']], found);
    expect([...found]).toEqual([2]);
    expect(
      (
        index as unknown as { root: { children: Map<string, { children: Map<string, unknown> }> } }
      ).root.children.get('a')?.children.size,
    ).toBe(0);
  });
});
