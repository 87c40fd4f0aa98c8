/**
 * RTDB refuses `undefined` anywhere in a value and stores empty objects as nothing; this turns
 * a typed value into what RTDB stores (undefined dropped, arrays kept as lists).
 */
export function toRtdbValue<T>(value: T): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as unknown;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RTDB returns lists as arrays when dense and as objects with numeric keys otherwise. */
export function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.filter((item) => item !== null && item !== undefined);
  if (isRecord(value)) return Object.values(value);
  return [];
}
