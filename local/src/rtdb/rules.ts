/**
 * Security rules, evaluated with targaryen. The engine works on a targaryen
 * copy of a namespace's data (a `RulesMirror`) that the namespace keeps in step
 * with its own tree while rules are in force.
 */
import { readFileSync } from 'node:fs';
import targaryen, { type DataNode, type Rule, type Ruleset, type RulesetNode } from 'targaryen';
import type { AuthVariable } from './auth';
import { pathToString, type Path } from './paths';
import type { RulesQuery } from './query';
import type { Json } from './tree';

export type RulesSource = string | object;

export interface Verdict {
  readonly allowed: boolean;
  /** Why a rule could not be evaluated (then the operation is denied); logged. */
  readonly error?: string;
  /** The mirror after the write (only for allowed writes). */
  readonly newRoot: DataNode | null;
}

/** Strips // and /* *\/ comments outside strings (rules files may carry them). */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      out += text.slice(start, ++i);
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** Loads a rules definition from a file path or takes a parsed object. */
export function loadRulesDefinition(source: RulesSource): object {
  if (typeof source !== 'string') return source;
  const parsed: unknown = JSON.parse(stripJsonComments(readFileSync(source, 'utf8')));
  if (typeof parsed !== 'object' || parsed === null) throw new Error('rules must be an object');
  return parsed;
}

/** One write of a multi-path update, at its full path (a node path: no `.priority`). */
export interface MirrorWrite {
  readonly path: Path;
  /** The new value in export format; null deletes. */
  readonly value: Json;
}

/**
 * The writes of an update as a tree, so that merging them into a mirror copies each touched
 * node once (targaryen's own update re-copies the root's children for every path: quadratic).
 * Later writes win over earlier ones at the same or a deeper path, as when they are applied
 * one after the other.
 */
interface Overlay {
  /** The node is replaced by this value (before `children` apply on top of it). */
  replace?: DataNode;
  readonly children: Map<string, Overlay>;
}

function overlayOf(writes: readonly MirrorWrite[], now: number): Overlay {
  const root: Overlay = { children: new Map() };
  for (const write of writes) {
    let node = root;
    for (const key of write.path) {
      let child = node.children.get(key);
      if (child === undefined) {
        child = { children: new Map() };
        node.children.set(key, child);
      }
      node = child;
    }
    node.replace = targaryen.store(write.value, { now });
    node.children.clear();
  }
  return root;
}

function mergeOverlay(node: DataNode, overlay: Overlay, now: number): DataNode {
  const base = overlay.replace ?? node;
  if (overlay.children.size === 0) return base;
  const copy: Record<string, unknown> = {};
  if (!base.$isPrimitive()) for (const key of Object.keys(base)) copy[key] = base.$child(key);
  for (const [key, child] of overlay.children) {
    copy[key] = mergeOverlay(base.$child(key), child, now);
  }
  const priority = base.$priority();
  if (priority !== undefined && priority !== null) copy['.priority'] = priority;
  return targaryen.store(copy, { now });
}

/** The mirror with every write applied: linear in the size of the writes. */
export function mergeIntoMirror(
  mirror: DataNode,
  writes: readonly MirrorWrite[],
  now: number,
): DataNode {
  return mergeOverlay(mirror, overlayOf(writes, now), now);
}

/** Identifiers that make a rule depend on stored data (string literals may add false hits). */
const READS_DATA = /(?<![\w$.])(root|data)(?![\w$])/;

function isLiteralFalse(rule: Rule | null): boolean {
  return rule === null || rule.toString().trim() === 'false';
}

/** The child rules a key leads to (a named child or the wildchild), if any. */
function childRules(node: RulesetNode, key: string): RulesetNode | undefined {
  return node.$child(key)?.rules;
}

export class RulesEngine {
  /** Per rules node: whether it or any node below it has a `.write` that is not `false`. */
  private readonly grantsBelow = new WeakMap<RulesetNode, boolean>();

  private constructor(
    private readonly ruleset: Ruleset,
    private readonly log: (message: string) => void,
  ) {}

  /** Throws when the definition is not a valid rule set. */
  static create(definition: object, log: (message: string) => void = () => undefined): RulesEngine {
    return new RulesEngine(targaryen.ruleset(definition), log);
  }

  /** Rules that fail to evaluate (a targaryen error) deny the operation, and say why in the log. */
  private guarded(what: string, path: Path, evaluate: () => Verdict): Verdict {
    try {
      return evaluate();
    } catch (e) {
      const error = `rules evaluation failed for ${what} at ${pathToString(path)}: ${String(e)}`;
      this.log(error);
      return { allowed: false, error, newRoot: null };
    }
  }

  static mirrorOf(data: Json): DataNode {
    return targaryen.store(data);
  }

  static setInMirror(mirror: DataNode, path: Path, value: Json, now: number): DataNode {
    return mirror.$set(pathToString(path), value, undefined, now);
  }

  private subtreeGrants(node: RulesetNode): boolean {
    const known = this.grantsBelow.get(node);
    if (known !== undefined) return known;
    let grants = !isLiteralFalse(node.$write);
    if (!grants && node.$wildchild !== null) grants = this.subtreeGrants(node.$wildchild);
    if (!grants) {
      for (const key of Object.keys(node)) {
        if (key.startsWith('$')) continue;
        const child = (node as unknown as Record<string, RulesetNode>)[key];
        if (child !== undefined && this.subtreeGrants(child)) {
          grants = true;
          break;
        }
      }
    }
    this.grantsBelow.set(node, grants);
    return grants;
  }

  /**
   * Whether any `.write` rule could allow a write at `path` (or, with `orBelow`, at a path
   * below it, as an update's children are): a rule on the way from the root that is not the
   * literal `false` (deeper rules never grant a write above them, and the rules stop where
   * the rules tree does). When none can, the write is refused before its data is looked at.
   */
  couldAllowWrite(path: Path, orBelow: boolean): boolean {
    let node: RulesetNode | undefined = this.ruleset.root;
    if (!isLiteralFalse(node.$write)) return true;
    for (const key of path) {
      node = childRules(node, key);
      if (node === undefined) return false;
      if (!isLiteralFalse(node.$write)) return true;
    }
    return orBelow && this.subtreeGrants(node);
  }

  /**
   * Whether a read at `path` may be decided by stored data (a `.read` rule on the way
   * mentions `root` or `data`): such listens are re-checked after every write.
   */
  readDependsOnData(path: Path): boolean {
    let node: RulesetNode | undefined = this.ruleset.root;
    if (node.$read !== null && READS_DATA.test(node.$read.toString())) return true;
    for (const key of path) {
      node = childRules(node, key);
      if (node === undefined) return false;
      if (node.$read !== null && READS_DATA.test(node.$read.toString())) return true;
    }
    return false;
  }

  canRead(
    mirror: DataNode,
    path: Path,
    auth: AuthVariable,
    now: number,
    query?: RulesQuery,
  ): Verdict {
    return this.guarded('read', path, () => {
      const db = targaryen.database(this.ruleset, mirror, now).as(auth);
      const result = db.read(pathToString(path), query === undefined ? { now } : { now, query });
      // (targaryen's `info` text is not asked for: it serializes the whole value.)
      return { allowed: result.allowed, newRoot: null };
    });
  }

  checkSet(mirror: DataNode, path: Path, value: Json, auth: AuthVariable, now: number): Verdict {
    return this.guarded('write', path, () => {
      const db = targaryen.database(this.ruleset, mirror, now).as(auth);
      const result = db.write(pathToString(path), value, { now });
      return { allowed: result.allowed, newRoot: result.allowed ? result.newDatabase.root : null };
    });
  }

  /**
   * A multi-path update: every write must be allowed (`.write` on its way, `.validate` of the
   * new data), judged against the data with all of them applied, as targaryen's `update`
   * does. Linear in the number of writes: the new data is built once, and the check stops
   * at the first write refused.
   */
  checkUpdate(
    mirror: DataNode,
    path: Path,
    writes: readonly MirrorWrite[],
    auth: AuthVariable,
    now: number,
  ): Verdict {
    return this.guarded('update', path, () => {
      const db = targaryen.database(this.ruleset, mirror, now).as(auth);
      const newRoot = mergeIntoMirror(mirror, writes, now);
      const newDb = db.with({ data: newRoot, now });
      for (const write of writes) {
        const result = db.rules.tryWrite(pathToString(write.path), db, newDb, write.value);
        if (!result.allowed) return { allowed: false, newRoot: null };
      }
      return { allowed: true, newRoot };
    });
  }
}
