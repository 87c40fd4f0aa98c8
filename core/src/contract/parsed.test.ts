import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { fail, formatIssues, ok, parseWith } from './parsed';

function errorsOf(schema: z.ZodType, raw: unknown): string[] {
  const result = parseWith(schema, raw);
  return result.ok ? [] : result.errors;
}

describe('issue formatting', () => {
  it('describes sizes of strings, lists and numbers, inclusive or not', () => {
    expect(errorsOf(z.object({ name: z.string().min(2) }), { name: 'a' })).toEqual([
      'name: must be at least 2 characters',
    ]);
    expect(errorsOf(z.array(z.number()).min(1), [])).toEqual([
      '(root): must have at least 1 items',
    ]);
    expect(errorsOf(z.array(z.number()).max(1), [1, 2])).toEqual([
      '(root): must have at most 1 items',
    ]);
    expect(errorsOf(z.number().gt(0), 0)).toEqual(['(root): must be > 0']);
    expect(errorsOf(z.number().lt(0), 0)).toEqual(['(root): must be < 0']);
    expect(errorsOf(z.number().multipleOf(5), 3)).toEqual(['(root): must be a multiple of 5']);
  });

  it('names missing fields, wrong types, several unknown fields and custom messages', () => {
    expect(errorsOf(z.strictObject({ a: z.bigint() }), { a: 1, b: 1, c: 2 })).toEqual([
      'a: must be bigint',
      '(root): unknown fields b, c',
    ]);
    expect(errorsOf(z.object({ a: z.string() }), {})).toEqual(['a: is required']);
    expect(
      errorsOf(
        z.string().refine(() => false, { error: 'is never right' }),
        'x',
      ),
    ).toEqual(['(root): is never right']);
    expect(errorsOf(z.email({ error: 'must be an email address' }), 'x')).toEqual([
      '(root): must be an email address',
    ]);
  });

  it('builds results directly', () => {
    expect(ok(1)).toEqual({ ok: true, value: 1 });
    expect(fail(['x'])).toEqual({ ok: false, errors: ['x'] });
    expect(formatIssues([])).toEqual([]);
  });
});
