/** The orderings the client uses for keys and for values (indexes). */
import type { Node } from './tree';

export const MIN_NAME = '[MIN_NAME]';
export const MAX_NAME = '[MAX_NAME]';

const INT_KEY = /^-?(0*)\d{1,10}$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function keyAsInt(key: string): number | null {
  if (!INT_KEY.test(key)) return null;
  const n = Number(key);
  return n >= INT32_MIN && n <= INT32_MAX ? n : null;
}

/**
 * Key order: keys that read as 32-bit integers first, numerically (ties: the
 * shorter text first), then the others by UTF-16 code units. MIN_NAME and
 * MAX_NAME sort before and after everything.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  if (a === MIN_NAME || b === MAX_NAME) return -1;
  if (b === MIN_NAME || a === MAX_NAME) return 1;
  const ia = keyAsInt(a);
  const ib = keyAsInt(b);
  if (ia !== null) {
    if (ib === null) return -1;
    return ia === ib ? a.length - b.length : ia - ib;
  }
  if (ib !== null) return 1;
  return a < b ? -1 : 1;
}

function rank(node: Node | null): number {
  if (node === null) return 0;
  if (node.kind === 'branch') return 4;
  switch (typeof node.value) {
    case 'boolean':
      return 1;
    case 'number':
      return 2;
    default:
      return 3;
  }
}

/** Value order: null < false < true < numbers < strings < objects (objects tie). */
export function compareValues(a: Node | null, b: Node | null): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (a === null || b === null || a.kind === 'branch' || b.kind === 'branch') return 0;
  if (a.value === b.value) return 0;
  return a.value < b.value ? -1 : 1;
}
