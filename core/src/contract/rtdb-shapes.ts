import { z } from 'zod';

/**
 * RTDB has no arrays: a list written as `['a', 'b']` may read back as `{ 0: 'a', 1: 'b' }`
 * (or with gaps), and an empty list or object reads back as missing. These helpers accept
 * both shapes so that validators work on whatever a snapshot returns.
 */
export function listFromRtdb(value: unknown): unknown {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter((item) => item !== null && item !== undefined);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.every(([key]) => /^(0|[1-9]\d*)$/.test(key))) {
      return entries
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([, item]) => item)
        .filter((item) => item !== null && item !== undefined);
    }
  }
  return value;
}

/** A list that may arrive as an RTDB object with numeric keys; missing means empty. */
export function rtdbList<T extends z.ZodType>(item: T) {
  return z.preprocess(listFromRtdb, z.array(item));
}

/** A value that RTDB omits when null: missing reads as null. */
export function nullable<T extends z.ZodType>(schema: T) {
  return schema.nullable().default(null);
}

/** Non-negative ms-epoch timestamps, as written by ServerValue.TIMESTAMP. */
export const timestamp = z.number().int().nonnegative();
