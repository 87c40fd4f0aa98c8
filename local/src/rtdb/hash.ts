/**
 * The transaction hash of a node, computed exactly like the client SDK,
 * including its inexact encoding of doubles (see `clientDoubleHex`).
 */
import { createHash } from 'node:crypto';
import { compareKeys } from './ordering';
import { derivedHashes, type Node, type Primitive, type Priority } from './tree';

const EXPONENT_BIAS = 1023;
const FRACTION_BITS = 52;
const MASK_52 = (1n << 52n) - 1n;

/**
 * Hex form of a double as the client computes it. The client derives the
 * exponent from floor(log(v)/LN2) and the fraction by rounding
 * v·2^(52−exp) − 2^52, then keeps the low 52 bits of that (two's complement)
 * integer. For most doubles this equals the IEEE-754 bits; for many values just
 * below a power of two (e.g. 63.99999999999999) it does not, and the server
 * must agree with the client, not with IEEE.
 */
export function clientDoubleHex(v: number): string {
  let sign = 0n;
  let exponent = 0;
  let fraction = 0;
  if (v === 0) {
    sign = Object.is(v, -0) ? 1n : 0n;
  } else {
    sign = v < 0 ? 1n : 0n;
    const abs = Math.abs(v);
    if (abs >= Math.pow(2, 1 - EXPONENT_BIAS)) {
      const ln = Math.min(Math.floor(Math.log(abs) / Math.LN2), EXPONENT_BIAS);
      exponent = ln + EXPONENT_BIAS;
      fraction = Math.round(abs * Math.pow(2, FRACTION_BITS - ln) - Math.pow(2, FRACTION_BITS));
    } else {
      fraction = Math.round(abs / Math.pow(2, 1 - EXPONENT_BIAS - FRACTION_BITS));
    }
  }
  const bits =
    (sign << 63n) |
    (BigInt(exponent & 0x7ff) << 52n) |
    (BigInt.asUintN(64, BigInt(fraction)) & MASK_52);
  return bits.toString(16).padStart(16, '0');
}

function primitiveText(v: Primitive): string {
  if (typeof v === 'number') return 'number:' + clientDoubleHex(v);
  return typeof v + ':' + String(v);
}

function priorityText(p: Priority): string {
  if (p === null) return '';
  return 'priority:' + primitiveText(p) + ':';
}

function sha1Base64(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('base64');
}

/** Children in priority order: no priority < numbers < strings, ties by key. */
export function comparePriorityEntries(a: [string, Node], b: [string, Node]): number {
  const pa = a[1].priority;
  const pb = b[1].priority;
  if (pa !== pb) {
    const ra = pa === null ? 0 : typeof pa === 'number' ? 1 : 2;
    const rb = pb === null ? 0 : typeof pb === 'number' ? 1 : 2;
    if (ra !== rb) return ra - rb;
    if (pa !== null && pb !== null) {
      if (pa < pb) return -1;
      if (pa > pb) return 1;
    }
  }
  return compareKeys(a[0], b[0]);
}

function hashText(node: Node): string {
  if (node.kind === 'leaf') return priorityText(node.priority) + primitiveText(node.value);
  let text = priorityText(node.priority);
  const entries = [...node.children.entries()].sort(comparePriorityEntries);
  for (const [key, child] of entries) {
    const childHash = hashNode(child);
    if (childHash !== '') text += ':' + key + ':' + childHash;
  }
  return text;
}

/**
 * The hash the client sends in `h`: "" for null. Kept per node until a write changes it
 * (`derivedHashes`): a transaction hashes only what changed since the last one.
 */
export function hashNode(node: Node | null): string {
  if (node === null) return '';
  const known = derivedHashes.get(node);
  if (known !== undefined) return known;
  const text = hashText(node);
  const hash = text === '' ? '' : sha1Base64(text);
  derivedHashes.set(node, hash);
  return hash;
}
