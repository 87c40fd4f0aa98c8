/**
 * The in-memory data tree: nodes, conversion from and to the wire's export
 * format (with `.value`/`.priority`), server-value resolution and mutation.
 *
 * Branches are mutated in place; a branch never holds an empty or null child.
 */
import { MAX_WRITE_DEPTH } from './limits';
import {
  InvalidInputError,
  PRIORITY_KEY,
  isPriorityPath,
  keyProblem,
  nodePathOf,
  type Path,
} from './paths';
import { isObject } from './objects';

export type Primitive = string | number | boolean;
export type Priority = string | number | null;
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Leaf {
  readonly kind: 'leaf';
  value: Primitive;
  priority: Priority;
}
export interface Branch {
  readonly kind: 'branch';
  readonly children: Map<string, Node>;
  priority: Priority;
}
export type Node = Leaf | Branch;

/** Values needed while resolving `{".sv": …}` placeholders. */
export interface ResolveContext {
  /** Server time in epoch ms. */
  readonly now: number;
  /** When set, how many more nodes the write may have (WriteTooLargeError past that). */
  readonly budget?: { left: number; readonly max: number };
}

/** A write with more nodes than its budget allows. */
export class WriteTooLargeError extends Error {
  constructor(readonly maxNodes: number) {
    super(`a write may hold at most ${maxNodes} values`);
    this.name = 'WriteTooLargeError';
  }
}

export function leaf(value: Primitive, priority: Priority = null): Leaf {
  return { kind: 'leaf', value, priority };
}

function resolveServerValue(sv: unknown, existing: Node | null, ctx: ResolveContext): Primitive {
  if (sv === 'timestamp') return ctx.now;
  if (isObject(sv) && Object.keys(sv).length === 1 && 'increment' in sv) {
    const delta = sv.increment;
    if (typeof delta !== 'number' || !Number.isFinite(delta)) {
      throw new InvalidInputError('increment needs a number');
    }
    const base =
      existing?.kind === 'leaf' && typeof existing.value === 'number' ? existing.value : 0;
    return base + delta;
  }
  throw new InvalidInputError(`unsupported server value ${JSON.stringify(sv)?.slice(0, 80)}`);
}

function parsePriority(raw: unknown, existing: Priority, ctx: ResolveContext): Priority {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  if (isObject(raw) && '.sv' in raw && Object.keys(raw).length === 1) {
    const resolved = resolveServerValue(raw['.sv'], existing === null ? null : leaf(existing), ctx);
    if (typeof resolved === 'boolean') throw new InvalidInputError('invalid priority');
    return resolved;
  }
  throw new InvalidInputError('a priority must be a string, a number or null');
}

function primitiveOf(raw: unknown): Primitive | null {
  if (typeof raw === 'string' || typeof raw === 'boolean') return raw;
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new InvalidInputError('numbers must be finite');
    return raw;
  }
  return null;
}

/**
 * Converts client data (plain JSON or export format, arrays allowed) to a node,
 * resolving server values against `existing`, the node currently at that place.
 * Returns null for null, empty objects and objects whose children are all null.
 * `depth` is how deep the value sits (the length of its path): no leaf may be
 * deeper than MAX_WRITE_DEPTH.
 */
export function nodeFromJson(
  raw: unknown,
  existing: Node | null,
  ctx: ResolveContext,
  depth = 0,
): Node | null {
  if (depth > MAX_WRITE_DEPTH) {
    throw new InvalidInputError(
      `path specified exceeds the maximum depth that can be written (${MAX_WRITE_DEPTH})`,
    );
  }
  if (raw === null || raw === undefined) return null;
  if (ctx.budget !== undefined && --ctx.budget.left < 0)
    throw new WriteTooLargeError(ctx.budget.max);
  const prim = primitiveOf(raw);
  if (prim !== null) return leaf(prim);
  if (Array.isArray(raw)) return branchFromEntries(raw.entries(), null, existing, ctx, depth);
  if (!isObject(raw)) throw new InvalidInputError(`unsupported value of type ${typeof raw}`);

  if ('.sv' in raw) {
    if (Object.keys(raw).length !== 1) throw new InvalidInputError('.sv must stand alone');
    return leaf(resolveServerValue(raw['.sv'], existing, ctx));
  }
  const priority = parsePriority(raw[PRIORITY_KEY], existing?.priority ?? null, ctx);
  if ('.value' in raw) {
    for (const key of Object.keys(raw)) {
      if (key !== '.value' && key !== PRIORITY_KEY) {
        throw new InvalidInputError('.value cannot have siblings other than .priority');
      }
    }
    const inner = nodeFromJson(raw['.value'], existing, ctx, depth + 1);
    if (inner === null) return null;
    if (inner.kind === 'branch') throw new InvalidInputError('.value must be a primitive');
    inner.priority = priority;
    return inner;
  }
  return branchFromEntries(Object.entries(raw), priority, existing, ctx, depth);
}

function branchFromEntries(
  entries: Iterable<[string | number, unknown]>,
  priority: Priority,
  existing: Node | null,
  ctx: ResolveContext,
  depth: number,
): Branch | null {
  const children = new Map<string, Node>();
  const oldChildren = existing?.kind === 'branch' ? existing.children : null;
  for (const [rawKey, value] of entries) {
    const key = String(rawKey);
    if (key === PRIORITY_KEY) continue;
    const problem = keyProblem(key);
    if (problem !== null) throw new InvalidInputError(problem);
    const oldChild = oldChildren?.get(key) ?? null;
    const child = nodeFromJson(value, oldChild, ctx, depth + 1);
    // A child written unchanged stays the same node, and so keeps what was derived from it
    // (its transaction hash): a transaction rewriting a whole record hashes only what changed.
    if (child !== null)
      children.set(key, oldChild !== null && sameNode(child, oldChild) ? oldChild : child);
  }
  if (children.size === 0) return null;
  return { kind: 'branch', children, priority };
}

/**
 * Whether a node just built from a write holds what `old` holds: the same value or, for a
 * branch, the very same child nodes (unchanged children of a write are the old nodes, see
 * branchFromEntries) in the same order, with the same priority.
 */
function sameNode(fresh: Node, old: Node): boolean {
  if (!Object.is(fresh.priority, old.priority)) return false;
  if (fresh.kind === 'leaf' || old.kind === 'leaf') {
    return fresh.kind === 'leaf' && old.kind === 'leaf' && Object.is(fresh.value, old.value);
  }
  if (fresh.children.size !== old.children.size) return false;
  const olds = old.children.entries();
  for (const [key, child] of fresh.children) {
    const next = olds.next().value as [string, Node];
    if (next[0] !== key || next[1] !== child) return false;
  }
  return true;
}

/** Export format: what clients receive (priorities as `.priority`, `.value`). */
export function exportNode(node: Node | null): Json {
  if (node === null) return null;
  if (node.kind === 'leaf') {
    return node.priority === null
      ? node.value
      : { '.value': node.value, '.priority': node.priority };
  }
  const out: { [key: string]: Json } = {};
  for (const [key, child] of node.children) out[key] = exportNode(child);
  if (node.priority !== null) out[PRIORITY_KEY] = node.priority;
  return out;
}

/** Plain value without priorities (like DataSnapshot.val()). */
export function plainValue(node: Node | null): Json {
  if (node === null) return null;
  if (node.kind === 'leaf') return node.value;
  const out: { [key: string]: Json } = {};
  for (const [key, child] of node.children) out[key] = plainValue(child);
  return out;
}

export function getNode(root: Node | null, path: Path): Node | null {
  let node = root;
  for (const key of path) {
    if (node === null || node.kind === 'leaf') return null;
    node = node.children.get(key) ?? null;
  }
  return node;
}

/** The export-format value at a path; a trailing `.priority` reads the priority. */
export function exportAt(root: Node | null, path: Path): Json {
  if (isPriorityPath(path)) return getNode(root, nodePathOf(path))?.priority ?? null;
  return exportNode(getNode(root, path));
}

/** Converts the payload of a write at `path` (which may end in `.priority`). */
export function nodeForWrite(
  root: Node | null,
  path: Path,
  raw: unknown,
  ctx: ResolveContext,
): Node | null {
  if (isPriorityPath(path)) {
    const target = getNode(root, nodePathOf(path));
    const priority = parsePriority(raw, target?.priority ?? null, ctx);
    return priority === null ? null : leaf(priority);
  }
  return nodeFromJson(raw, getNode(root, path), ctx, path.length);
}

function setIn(node: Node | null, path: Path, i: number, value: Node | null): Node | null {
  if (i === path.length) return value;
  const key = path[i] as string;
  if (node === null || node.kind === 'leaf') {
    if (value === null) return node;
    const child = setIn(null, path, i + 1, value);
    if (child === null) return node;
    return { kind: 'branch', children: new Map([[key, child]]), priority: node?.priority ?? null };
  }
  const child = setIn(node.children.get(key) ?? null, path, i + 1, value);
  if (child === null) {
    node.children.delete(key);
    return node.children.size === 0 ? null : node;
  }
  node.children.set(key, child);
  return node;
}

/**
 * What is derived from a node's content and kept until the node changes (the transaction
 * hash, `hash.ts`): branches are mutated in place, so every write drops the entries of the
 * nodes on its path (the nodes below it are new, or unchanged).
 */
export const derivedHashes = new WeakMap<Node, string>();

function forgetDerived(root: Node | null, path: Path): void {
  let node = root;
  derivedHashes.delete(node as Node);
  for (const key of path) {
    if (node === null || node.kind === 'leaf') return;
    node = node.children.get(key) ?? null;
    if (node !== null) derivedHashes.delete(node);
  }
}

/**
 * Writes `value` at `path` and returns the new root. A path ending in
 * `.priority` sets the priority of an existing node (value: a leaf or null).
 */
export function setAt(root: Node | null, path: Path, value: Node | null): Node | null {
  forgetDerived(root, nodePathOf(path));
  if (isPriorityPath(path)) {
    const target = getNode(root, nodePathOf(path));
    if (target !== null) {
      target.priority =
        value?.kind === 'leaf' && typeof value.value !== 'boolean' ? value.value : null;
    }
    return root;
  }
  return setIn(root, path, 0, value);
}

/** Counts the nodes (leaves and branches) of a tree. */
export function countNodes(node: Node | null): number {
  if (node === null) return 0;
  if (node.kind === 'leaf') return 1;
  let n = 1;
  for (const child of node.children.values()) n += countNodes(child);
  return n;
}
