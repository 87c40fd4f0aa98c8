/** Query objects (`q` in listen/get requests): parsing, ordering and filtering. */
import { InvalidInputError, parsePath, type Path } from './paths';
import { MAX_NAME, MIN_NAME, compareKeys, compareValues } from './ordering';
import { getNode, leaf, nodeFromJson, type Branch, type Node } from './tree';
import { isObject } from './objects';

export type Index =
  | { readonly kind: 'priority' }
  | { readonly kind: 'key' }
  | { readonly kind: 'value' }
  | { readonly kind: 'child'; readonly path: Path };

interface Bound {
  /** The index value (a node or null); for the key index a leaf holding the key. */
  readonly value: Node | null;
  readonly name: string;
  readonly inclusive: boolean;
}

export interface QuerySpec {
  readonly index: Index;
  readonly start: Bound | null;
  readonly end: Bound | null;
  readonly limit: number | null;
  readonly fromLeft: boolean;
}

export const DEFAULT_QUERY: QuerySpec = {
  index: { kind: 'priority' },
  start: null,
  end: null,
  limit: null,
  fromLeft: true,
};

const NO_SERVER_VALUES = { now: 0 };

function parseIndex(raw: unknown): Index {
  if (raw === undefined || raw === '.priority') return { kind: 'priority' };
  if (raw === '.key') return { kind: 'key' };
  if (raw === '.value') return { kind: 'value' };
  if (typeof raw !== 'string') throw new InvalidInputError('query index must be a string');
  const path = parsePath(raw);
  if (path.length === 0) throw new InvalidInputError('empty query index');
  return { kind: 'child', path };
}

function parseBoundValue(raw: unknown, index: Index): Node | null {
  if (raw === null) return null;
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    throw new InvalidInputError('query bounds must be primitives');
  }
  if (index.kind === 'key' && typeof raw !== 'string') {
    throw new InvalidInputError('key query bounds must be strings');
  }
  if (index.kind === 'priority' && typeof raw === 'boolean') {
    throw new InvalidInputError('priority query bounds cannot be booleans');
  }
  return nodeFromJson(raw, null, NO_SERVER_VALUES);
}

function parseBound(
  q: Record<string, unknown>,
  valueKey: string,
  nameKey: string,
  inclusiveKey: string,
  defaultName: string,
  index: Index,
): Bound | null {
  if (!(valueKey in q)) return null;
  const name = q[nameKey] ?? defaultName;
  if (typeof name !== 'string') throw new InvalidInputError('query bound names must be strings');
  const inclusive = q[inclusiveKey] ?? true;
  if (typeof inclusive !== 'boolean') throw new InvalidInputError('sin/ein must be booleans');
  return { value: parseBoundValue(q[valueKey], index), name, inclusive };
}

/** Parses the wire query object; `undefined` or `{}` is the default query. */
export function parseQuery(raw: unknown): QuerySpec {
  if (raw === undefined || raw === null) return DEFAULT_QUERY;
  if (!isObject(raw)) throw new InvalidInputError('query must be an object');
  const index = parseIndex(raw.i);
  const start = parseBound(raw, 'sp', 'sn', 'sin', MIN_NAME, index);
  const end = parseBound(raw, 'ep', 'en', 'ein', MAX_NAME, index);
  let limit: number | null = null;
  if (raw.l !== undefined) {
    if (typeof raw.l !== 'number' || !Number.isInteger(raw.l) || raw.l <= 0) {
      throw new InvalidInputError('query limit must be a positive integer');
    }
    limit = raw.l;
  }
  let fromLeft: boolean;
  if (raw.vf === undefined || raw.vf === '') fromLeft = limit === null || start !== null;
  else if (raw.vf === 'l' || raw.vf === 'r') fromLeft = raw.vf === 'l';
  else throw new InvalidInputError('query vf must be "l" or "r"');
  return { index, start, end, limit, fromLeft };
}

/** A query as security rules see it (`query.orderByChild`, `query.equalTo`, …). */
export interface RulesQuery {
  orderByKey?: true;
  orderByValue?: true;
  orderByPriority?: true;
  orderByChild?: string;
  startAt?: string | number | boolean | null;
  endAt?: string | number | boolean | null;
  equalTo?: string | number | boolean | null;
  limitToFirst?: number;
  limitToLast?: number;
}

function boundPrimitive(bound: Bound): string | number | boolean | null {
  return bound.value?.kind === 'leaf' ? bound.value.value : null;
}

/**
 * The rules view of a query. The SDK sends equalTo as equal inclusive start and
 * end bounds; that is reported as `equalTo`.
 */
export function rulesQueryOf(spec: QuerySpec): RulesQuery {
  const q: RulesQuery = {};
  const { index, start, end } = spec;
  if (index.kind === 'key') q.orderByKey = true;
  else if (index.kind === 'value') q.orderByValue = true;
  else if (index.kind === 'child') q.orderByChild = index.path.join('/');
  else q.orderByPriority = true;
  if (
    start !== null &&
    end !== null &&
    start.inclusive &&
    end.inclusive &&
    boundPrimitive(start) === boundPrimitive(end) &&
    (start.name === end.name || (start.name === MIN_NAME && end.name === MAX_NAME))
  ) {
    q.equalTo = boundPrimitive(start);
  } else {
    if (start !== null) q.startAt = boundPrimitive(start);
    if (end !== null) q.endAt = boundPrimitive(end);
  }
  if (spec.limit !== null) {
    if (spec.fromLeft) q.limitToFirst = spec.limit;
    else q.limitToLast = spec.limit;
  }
  return q;
}

/** True when the query selects only part of the children (the client tags these). */
export function isFiltering(spec: QuerySpec): boolean {
  return spec.start !== null || spec.end !== null || spec.limit !== null;
}

interface Entry {
  readonly name: string;
  readonly value: Node | null;
}

function indexValue(index: Index, key: string, node: Node): Node | null {
  switch (index.kind) {
    case 'priority':
      return node.priority === null ? null : leaf(node.priority);
    case 'key':
      return null;
    case 'value':
      return node;
    case 'child':
      return getNode(node, index.path);
  }
}

function compareEntries(index: Index, a: Entry, b: Entry): number {
  if (index.kind !== 'key') {
    const c = compareValues(a.value, b.value);
    if (c !== 0) return c;
  }
  return compareKeys(a.name, b.name);
}

function boundEntry(index: Index, bound: Bound): Entry {
  if (index.kind === 'key') {
    const key = bound.value?.kind === 'leaf' ? String(bound.value.value) : bound.name;
    return { name: key, value: null };
  }
  return { name: bound.name, value: bound.value };
}

/**
 * The `limit` first (or last) entries in `compare` order, in that order. A single
 * pass with a small sorted window: O(n log k) instead of sorting everything.
 */
export function firstOrLast<T>(
  items: readonly T[],
  limit: number,
  first: boolean,
  compare: (a: T, b: T) => number,
): T[] {
  if (limit >= items.length / 4) {
    const sorted = [...items].sort(compare);
    return first ? sorted.slice(0, limit) : sorted.slice(Math.max(0, sorted.length - limit));
  }
  // Keep the window sorted so that window[0] is the one to drop next.
  const worse = first ? (a: T, b: T) => compare(b, a) : compare;
  const window: T[] = [];
  for (const item of items) {
    if (window.length === limit) {
      if (worse(item, window[0] as T) <= 0) continue;
      window.shift();
    }
    let lo = 0;
    let hi = window.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (worse(window[mid] as T, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    window.splice(lo, 0, item);
  }
  return first ? window.reverse() : window;
}

/** Sorts children by the index; returns [key, child] pairs. */
export function sortedChildren(node: Branch, index: Index): [string, Node][] {
  const entries = [...node.children.entries()].map(([key, child]) => ({
    key,
    child,
    entry: { name: key, value: indexValue(index, key, child) },
  }));
  entries.sort((a, b) => compareEntries(index, a.entry, b.entry));
  return entries.map((e) => [e.key, e.child]);
}

/**
 * Applies a query to the node at its location. Without start, end or limit the
 * node is returned unchanged; otherwise a branch of the selected children
 * (without the location's own priority), or null.
 */
export function applyQuery(node: Node | null, spec: QuerySpec): Node | null {
  if (!isFiltering(spec) || node === null) return node;
  if (node.kind === 'leaf') return null;
  const { index, start, end } = spec;
  const startEntry = start === null ? null : boundEntry(index, start);
  const endEntry = end === null ? null : boundEntry(index, end);
  let selected: Entry[] = [];
  const children = node.children;
  for (const [key, child] of children) {
    const entry = { name: key, value: indexValue(index, key, child) };
    if (startEntry !== null && start !== null) {
      const c = compareEntries(index, startEntry, entry);
      if (start.inclusive ? c > 0 : c >= 0) continue;
    }
    if (endEntry !== null && end !== null) {
      const c = compareEntries(index, entry, endEntry);
      if (end.inclusive ? c > 0 : c >= 0) continue;
    }
    selected.push(entry);
  }
  if (spec.limit !== null && selected.length > spec.limit) {
    selected = firstOrLast(selected, spec.limit, spec.fromLeft, (a, b) =>
      compareEntries(index, a, b),
    );
  }
  if (selected.length === 0) return null;
  const out = new Map<string, Node>();
  for (const entry of selected) out.set(entry.name, children.get(entry.name) as Node);
  return { kind: 'branch', children: out, priority: null };
}
