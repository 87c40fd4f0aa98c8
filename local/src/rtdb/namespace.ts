/**
 * One database namespace: its tree, its listeners and the write pipeline
 * (server values → transaction hash → rules → apply → push to listeners).
 * Everything here is synchronous, so operations happen in arrival order.
 */
import type { DataNode } from 'targaryen';
import type { Principal } from './auth';
import { hashNode } from './hash';
import {
  InvalidInputError,
  PRIORITY_KEY,
  isPrefix,
  isPriorityPath,
  nodePathOf,
  parsePath,
  pathToString,
  related,
  type Path,
} from './paths';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { PathIndex } from './path-index';
import { DEFAULT_QUERY, applyQuery, rulesQueryOf, type QuerySpec } from './query';
import { RulesEngine, mergeIntoMirror, type MirrorWrite } from './rules';
import {
  exportAt,
  exportNode,
  getNode,
  nodeForWrite,
  setAt,
  type Json,
  type Node,
  WriteTooLargeError,
  type ResolveContext,
} from './tree';

/** Something that receives pushes: a client connection. */
export interface Subscriber {
  /** Sends one data message (the `d` of a `{t:"d"}` envelope), already serialized. */
  sendData(message: string): void;
  /** The rules changed: re-check this subscriber's listens (revoking what it may no longer read). */
  rulesChanged?(): void;
}

export interface Listen {
  readonly subscriber: Subscriber;
  readonly path: Path;
  readonly spec: QuerySpec;
  /** The client's tag for filtered queries; null for a default listen. */
  readonly tag: number | null;
  /** The query object as the client sent it (echoed when the listen is revoked). */
  readonly rawQuery: unknown;
  lastSent: string | null;
  /** A `.read` rule deciding it looks at stored data: re-checked after every write. */
  dataDependent: boolean;
  /** Its place among its subscriber's listens (pushes for one write go out in this order). */
  readonly order: number;
}

export type Outcome =
  | { readonly status: 'ok' }
  | {
      readonly status: 'permission_denied' | 'datastale' | 'too_big';
      readonly reason: string;
    };

export type ReadOutcome = Outcome & { readonly value?: Json };

const OK: Outcome = { status: 'ok' };

export interface WriteOptions {
  /** Transaction hash: apply only if the current value hashes to this. */
  readonly hash?: string;
  /** Check only (onDisconnect queueing): validate and evaluate rules, do not apply. */
  readonly dryRun?: boolean;
}

function listenKey(path: Path, tag: number | null): string {
  return pathToString(path) + '\u0000' + (tag === null ? '' : String(tag));
}

/** The `c` push: the listen was revoked (the SDK cancels it with permission_denied). */
function revokedMessage(listen: Listen): string {
  const body: { p: string; q?: unknown[] } = { p: pathToString(listen.path) };
  if (listen.tag !== null && listen.rawQuery !== undefined) body.q = [listen.rawQuery];
  return JSON.stringify({ a: 'c', b: body });
}

function pushMessage(action: 'd' | 'm', path: Path, data: Json, tag: number | null): string {
  const body: { p: string; d: Json; t?: number } = { p: path.join('/'), d: data };
  if (tag !== null) body.t = tag;
  return JSON.stringify({ a: action, b: body });
}

export class Namespace {
  root: Node | null = null;
  private readonly listens = new Map<Subscriber, Map<string, Listen>>();
  /** Every listen, by path: a write visits only the listens it touches. */
  private readonly index = new PathIndex<Listen>();
  /** The order subscribers got their first listen in (pushes of one write follow it). */
  private readonly subscriberOrder = new Map<Subscriber, number>();
  private ordinal = 0;
  /** Who each subscriber with listens is now (its listens are re-checked as that principal). */
  private readonly principals = new Map<Subscriber, Principal>();
  private mirror: DataNode | null = null;
  private rules: RulesEngine | null;

  constructor(
    readonly name: string,
    rules: RulesEngine | null,
    private readonly onChange: () => void = () => undefined,
    private readonly limits: Limits = DEFAULT_LIMITS,
  ) {
    this.rules = rules;
  }

  setRules(rules: RulesEngine | null): void {
    this.rules = rules;
    if (rules === null) this.mirror = null;
    for (const subscriber of [...this.listens.keys()]) subscriber.rulesChanged?.();
  }

  /** Replaces the whole tree (loading a snapshot); listeners are not notified. */
  load(root: Node | null): void {
    this.root = root;
    this.mirror = null;
  }

  listenerCount(): number {
    let n = 0;
    for (const m of this.listens.values()) n += m.size;
    return n;
  }

  private mirrorRoot(): DataNode {
    if (this.mirror === null) this.mirror = RulesEngine.mirrorOf(exportNode(this.root));
    return this.mirror;
  }

  private userAuth(principal: Principal): (Principal & { kind: 'user' }) | null {
    return this.rules !== null && principal.kind === 'user' ? principal : null;
  }

  /** Whether writes of `principal` are checked against rules (a user while rules are in force). */
  checksWritesOf(principal: Principal): boolean {
    return this.userAuth(principal) !== null;
  }

  /**
   * Whether a write request (`p`, `m`, `o`, `om`) of `principal` at `path` could be allowed
   * at all, judged from the rules tree alone (no data): false means it is certainly refused.
   */
  couldAllowWrite(principal: Principal, action: string, path: Path): boolean {
    if (this.userAuth(principal) === null || this.rules === null) return true;
    if (action === 'p' || action === 'o')
      return this.rules.couldAllowWrite(nodePathOf(path), false);
    if (action === 'm' || action === 'om') return this.rules.couldAllowWrite(path, true);
    return true;
  }

  private canRead(principal: Principal, path: Path, now: number, spec: QuerySpec): Outcome {
    const user = this.userAuth(principal);
    if (user === null || this.rules === null) return OK;
    const query = spec === DEFAULT_QUERY ? undefined : rulesQueryOf(spec);
    const verdict = this.rules.canRead(this.mirrorRoot(), path, user.auth, now, query);
    return verdict.allowed ? OK : { status: 'permission_denied', reason: 'Permission denied' };
  }

  /** `g`: the value at a path, filtered by the query. */
  get(principal: Principal, path: Path, spec: QuerySpec, now: number): ReadOutcome {
    const allowed = this.canRead(principal, path, now, spec);
    if (allowed.status !== 'ok') return allowed;
    return { status: 'ok', value: exportNode(applyQuery(getNode(this.root, path), spec)) };
  }

  /** `q`: registers a listen and pushes its current data (before the caller's ok). */
  listen(
    subscriber: Subscriber,
    principal: Principal,
    path: Path,
    spec: QuerySpec,
    tag: number | null,
    now: number,
    rawQuery: unknown = undefined,
  ): Outcome {
    const allowed = this.canRead(principal, path, now, spec);
    if (allowed.status !== 'ok') return allowed;
    let byKey = this.listens.get(subscriber);
    if (byKey === undefined) {
      byKey = new Map();
      this.listens.set(subscriber, byKey);
      this.subscriberOrder.set(subscriber, ++this.ordinal);
    }
    this.principals.set(subscriber, principal);
    const key = listenKey(path, tag);
    const replaced = byKey.get(key);
    if (replaced !== undefined) this.index.delete(replaced.path, replaced);
    const listen: Listen = {
      subscriber,
      path,
      spec,
      tag,
      rawQuery,
      lastSent: null,
      dataDependent: this.readDependsOnData(principal, path),
      // A listen replacing one keeps its place, as in the subscriber's map.
      order: replaced?.order ?? ++this.ordinal,
    };
    byKey.set(key, listen);
    this.index.add(path, listen);
    if (tag === null) {
      subscriber.sendData(pushMessage('d', path, exportNode(getNode(this.root, path)), null));
    } else {
      this.pushTagged(listen);
    }
    return OK;
  }

  /** `n`: removes a listen. */
  unlisten(subscriber: Subscriber, path: Path, tag: number | null): void {
    const byKey = this.listens.get(subscriber);
    if (byKey === undefined) return;
    const key = listenKey(path, tag);
    const listen = byKey.get(key);
    if (listen !== undefined) {
      byKey.delete(key);
      this.index.delete(listen.path, listen);
    }
    if (byKey.size === 0) this.forget(subscriber);
  }

  private forget(subscriber: Subscriber): void {
    for (const listen of this.listens.get(subscriber)?.values() ?? []) {
      this.index.delete(listen.path, listen);
    }
    this.listens.delete(subscriber);
    this.principals.delete(subscriber);
    this.subscriberOrder.delete(subscriber);
  }

  private readDependsOnData(principal: Principal, path: Path): boolean {
    return this.userAuth(principal) !== null && (this.rules?.readDependsOnData(path) ?? false);
  }

  /**
   * Removes the subscriber's listens that `principal` may no longer read, tells the client
   * (`c`: the SDK cancels them with permission_denied) and returns them.
   */
  private revokeFor(
    subscriber: Subscriber,
    byKey: Map<string, Listen>,
    principal: Principal,
    now: number,
    onlyDataDependent: boolean,
  ): Listen[] {
    const revoked: Listen[] = [];
    for (const [key, listen] of byKey) {
      if (onlyDataDependent && !listen.dataDependent) continue;
      if (this.canRead(principal, listen.path, now, listen.spec).status !== 'ok') {
        byKey.delete(key);
        this.index.delete(listen.path, listen);
        revoked.push(listen);
        subscriber.sendData(revokedMessage(listen));
      }
    }
    if (byKey.size === 0) this.forget(subscriber);
    return revoked;
  }

  /**
   * After a subscriber's auth (or the rules) changed: revokes the listens it may no longer
   * read, and returns them.
   */
  revokeUnreadable(subscriber: Subscriber, principal: Principal, now: number): Listen[] {
    const byKey = this.listens.get(subscriber);
    if (byKey === undefined) return [];
    this.principals.set(subscriber, principal);
    const revoked = this.revokeFor(subscriber, byKey, principal, now, false);
    for (const listen of byKey.values()) {
      listen.dataDependent = this.readDependsOnData(principal, listen.path);
    }
    return revoked;
  }

  /**
   * After a write: listens whose `.read` rules look at stored data are checked again as
   * their subscriber is now, and the ones no longer allowed are revoked (before the write
   * is pushed, so a revoked listen receives nothing of it).
   */
  private revokeAfterWrite(now: number): void {
    if (this.rules === null) return;
    for (const [subscriber, byKey] of [...this.listens]) {
      const principal = this.principals.get(subscriber);
      if (principal === undefined || this.userAuth(principal) === null) continue;
      this.revokeFor(subscriber, byKey, principal, now, true);
    }
  }

  /** Drops every listen of a subscriber (its socket closed). */
  dropSubscriber(subscriber: Subscriber): void {
    this.forget(subscriber);
  }

  private pushTagged(listen: Listen): void {
    const data = JSON.stringify(
      exportNode(applyQuery(getNode(this.root, listen.path), listen.spec)),
    );
    if (data === listen.lastSent) return;
    listen.lastSent = data;
    const body = `{"p":${JSON.stringify(listen.path.join('/'))},"d":${data},"t":${String(listen.tag)}}`;
    listen.subscriber.sendData(`{"a":"d","b":${body}}`);
  }

  /** Rules-checked writes get a node budget: the rules check costs per node written. */
  private resolveContext(checked: boolean, now: number): ResolveContext {
    if (!checked) return { now };
    const max = this.limits.maxUserWriteNodes;
    return { now, budget: { left: max, max } };
  }

  private denied(): Outcome {
    return { status: 'permission_denied', reason: 'Permission denied' };
  }

  /** `p` (and transactions with a hash): writes `raw` at `path`. */
  set(
    principal: Principal,
    path: Path,
    raw: unknown,
    now: number,
    opts: WriteOptions = {},
  ): Outcome {
    const target = nodePathOf(path);
    const user = this.userAuth(principal);
    if (user !== null && this.rules !== null && !this.rules.couldAllowWrite(target, false)) {
      return this.denied();
    }
    const ctx = this.resolveContext(user !== null, now);
    let node: Node | null;
    try {
      node = nodeForWrite(this.root, path, raw, ctx);
    } catch (e) {
      if (e instanceof WriteTooLargeError) return { status: 'too_big', reason: e.message };
      throw e;
    }
    if (opts.hash !== undefined) {
      const current = hashNode(getNode(this.root, target));
      if (current !== opts.hash)
        return { status: 'datastale', reason: 'Transaction hash does not match' };
    }
    let newMirror: DataNode | null = null;
    if (user !== null && this.rules !== null) {
      const value = isPriorityPath(path)
        ? withPriority(exportNode(getNode(this.root, target)), node)
        : exportNode(node);
      const verdict = this.rules.checkSet(this.mirrorRoot(), target, value, user.auth, now);
      if (!verdict.allowed) return this.denied();
      newMirror = verdict.newRoot;
    }
    if (opts.dryRun === true) return OK;
    this.root = setAt(this.root, path, node);
    this.syncMirror(newMirror, [target], now);
    this.revokeAfterWrite(now);
    this.fanOut(path, null);
    this.onChange();
    return OK;
  }

  /** `m`: a multi-path update of `changes` (relative paths) under `path`, all or nothing. */
  update(
    principal: Principal,
    path: Path,
    changes: unknown,
    now: number,
    opts: WriteOptions = {},
  ): Outcome {
    if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) {
      throw new InvalidInputError('update data must be an object');
    }
    const entries = Object.entries(changes);
    const user = this.userAuth(principal);
    if (user !== null && entries.length > this.limits.maxUpdatePaths) {
      return {
        status: 'too_big',
        reason: `an update may change at most ${this.limits.maxUpdatePaths} paths (this one: ${entries.length})`,
      };
    }
    const parsed: { rel: Path; full: Path; raw: unknown }[] = [];
    for (const [relText, raw] of entries) {
      const rel = parsePath(relText, true);
      if (rel.length === 0) throw new InvalidInputError('update keys must not be empty');
      parsed.push({ rel, full: [...path, ...rel], raw });
    }
    if (parsed.length === 0) return OK;
    if (user !== null && this.rules !== null) {
      // Refused before any data is converted when no .write rule can allow one of the paths.
      for (const p of parsed) {
        if (!this.rules.couldAllowWrite(nodePathOf(p.full), false)) return this.denied();
      }
    }
    const ctx = this.resolveContext(user !== null, now);
    let writes: { rel: Path; full: Path; node: Node | null }[];
    try {
      writes = parsed.map((p) => ({
        rel: p.rel,
        full: p.full,
        node: nodeForWrite(this.root, p.full, p.raw, ctx),
      }));
    } catch (e) {
      if (e instanceof WriteTooLargeError) return { status: 'too_big', reason: e.message };
      throw e;
    }
    let newMirror: DataNode | null = null;
    if (user !== null && this.rules !== null) {
      const mirrorWrites: MirrorWrite[] = writes.map((w) => ({
        path: nodePathOf(w.full),
        value: isPriorityPath(w.rel)
          ? withPriority(exportNode(getNode(this.root, nodePathOf(w.full))), w.node)
          : exportNode(w.node),
      }));
      const verdict = this.rules.checkUpdate(this.mirrorRoot(), path, mirrorWrites, user.auth, now);
      if (!verdict.allowed) return this.denied();
      newMirror = verdict.newRoot;
    }
    if (opts.dryRun === true) return OK;
    for (const w of writes) this.root = setAt(this.root, w.full, w.node);
    this.syncMirror(
      newMirror,
      writes.map((w) => nodePathOf(w.full)),
      now,
    );
    this.revokeAfterWrite(now);
    this.fanOut(
      path,
      writes.map((w) => w.rel),
    );
    this.onChange();
    return OK;
  }

  /** Before a datastale reply: make sure the client's cache holds the current value. */
  refresh(subscriber: Subscriber, path: Path): void {
    const byKey = this.listens.get(subscriber);
    if (byKey === undefined) return;
    for (const listen of byKey.values()) {
      if (listen.tag === null && isPrefix(listen.path, path)) {
        subscriber.sendData(pushMessage('d', path, exportAt(this.root, path), null));
        return;
      }
    }
  }

  private syncMirror(newMirror: DataNode | null, targets: Path[], now: number): void {
    if (newMirror !== null) {
      this.mirror = newMirror;
      return;
    }
    if (this.mirror === null) return;
    this.mirror = mergeIntoMirror(
      this.mirror,
      targets.map((target) => ({ path: target, value: exportNode(getNode(this.root, target)) })),
      now,
    );
  }

  /**
   * What a default listen at `listenPath` gets for a write above it that touched `touched`:
   * when every touched path lies inside the listen (a multi-path update from higher up), only
   * those children, as a merge at the listen (as the real server does: issue 17, a root update
   * naming one entry of a large listened node must not resend the whole node); else its value.
   */
  private listenUpdate(listenPath: Path, touched: Path[]): string {
    const inside = touched.filter((t) => t.length > listenPath.length && isPrefix(listenPath, t));
    if (
      inside.length > 0 &&
      inside.length === touched.filter((t) => related(t, listenPath)).length
    ) {
      const data: Record<string, Json> = {};
      for (const t of inside) data[t.slice(listenPath.length).join('/')] = exportAt(this.root, t);
      return pushMessage('m', listenPath, data, null);
    }
    return pushMessage('d', listenPath, exportNode(getNode(this.root, listenPath)), null);
  }

  /**
   * Pushes a write to every listen it touches. A connection with a default
   * listen at or above the write gets the write itself (once); otherwise each
   * touched default listen gets its new value; tagged listens get their new
   * filtered value when it changed.
   */
  private fanOut(path: Path, mergeKeys: Path[] | null): void {
    const nodePath = mergeKeys === null ? nodePathOf(path) : path;
    const touched: Path[] =
      mergeKeys === null ? [nodePath] : mergeKeys.map((rel) => [...path, ...nodePathOf(rel)]);
    let forwarded: string | null = null;
    const forward = (): string => {
      if (forwarded !== null) return forwarded;
      if (mergeKeys === null) {
        forwarded = pushMessage('d', path, exportAt(this.root, path), null);
      } else {
        const data: Record<string, Json> = {};
        for (const rel of mergeKeys) data[rel.join('/')] = exportAt(this.root, [...path, ...rel]);
        forwarded = pushMessage('m', path, data, null);
      }
      return forwarded;
    };
    // The listens the write touches (at, above or below a touched path), by subscriber, each
    // subscriber's in the order it made them, subscribers in the order they first listened.
    const touchedListens = new Set<Listen>();
    this.index.collectRelated(touched, touchedListens);
    const bySubscriber = new Map<Subscriber, Listen[]>();
    for (const listen of touchedListens) {
      const mine = bySubscriber.get(listen.subscriber);
      if (mine === undefined) bySubscriber.set(listen.subscriber, [listen]);
      else mine.push(listen);
    }
    const order = (subscriber: Subscriber): number => this.subscriberOrder.get(subscriber) ?? 0;
    const subscribers = [...bySubscriber.keys()].sort((a, b) => order(a) - order(b));
    for (const subscriber of subscribers) {
      const mine = (bySubscriber.get(subscriber) as Listen[]).sort((a, b) => a.order - b.order);
      const covered = mine.some((listen) => listen.tag === null && isPrefix(listen.path, nodePath));
      if (covered) subscriber.sendData(forward());
      for (const listen of mine) {
        if (listen.tag !== null) {
          this.pushTagged(listen);
        } else if (!covered) {
          subscriber.sendData(this.listenUpdate(listen.path, touched));
        }
      }
    }
  }
}

/** The export value of a node after a `.priority` write. */
function withPriority(current: Json, priorityNode: Node | null): Json {
  const priority = priorityNode?.kind === 'leaf' ? priorityNode.value : null;
  if (current === null) return null;
  if (typeof current === 'object' && !Array.isArray(current)) {
    const copy: Record<string, Json> = { ...current };
    if (priority === null || typeof priority === 'boolean') delete copy[PRIORITY_KEY];
    else copy[PRIORITY_KEY] = priority;
    if ('.value' in copy && copy[PRIORITY_KEY] === undefined) return copy['.value'] ?? null;
    return copy;
  }
  if (priority === null || typeof priority === 'boolean') return current;
  return { '.value': current, '.priority': priority };
}
