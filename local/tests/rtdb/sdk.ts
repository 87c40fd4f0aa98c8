/**
 * One small interface over both SDKs (modular web SDK and firebase-admin), so
 * every conformance test runs against each.
 */
import {
  endAt,
  endBefore,
  equalTo,
  get,
  goOffline,
  goOnline,
  increment,
  limitToFirst,
  limitToLast,
  onChildAdded,
  onChildChanged,
  onChildMoved,
  onChildRemoved,
  onValue,
  orderByChild,
  orderByKey,
  orderByPriority,
  orderByValue,
  query,
  ref,
  remove,
  runTransaction,
  serverTimestamp,
  set,
  setPriority,
  setWithPriority,
  startAfter,
  startAt,
  update,
  type Database,
  type DataSnapshot,
  type Query,
  type QueryConstraint,
} from 'firebase/database';
import {
  ServerValue,
  type Database as AdminDatabase,
  type DataSnapshot as AdminSnapshot,
  type Query as AdminQuery,
} from 'firebase-admin/database';

export type Constraint =
  | ['orderByChild', string]
  | ['orderByKey']
  | ['orderByValue']
  | ['orderByPriority']
  | ['startAt' | 'endAt' | 'equalTo' | 'startAfter' | 'endBefore', Bound, string?]
  | ['limitToFirst' | 'limitToLast', number];
type Bound = string | number | boolean | null;

export interface Snap {
  readonly val: unknown;
  readonly exists: boolean;
  readonly priority: string | number | null;
  /** Child keys in the snapshot's order. */
  readonly keys: string[];
}

export type ChildEvent = 'added' | 'changed' | 'removed' | 'moved';

export interface SdkClient {
  readonly kind: 'web' | 'admin';
  set(path: string, value: unknown): Promise<void>;
  setWithPriority(path: string, value: unknown, priority: string | number | null): Promise<void>;
  setPriority(path: string, priority: string | number | null): Promise<void>;
  update(path: string, values: Record<string, unknown>): Promise<void>;
  remove(path: string): Promise<void>;
  get(path: string, constraints?: Constraint[]): Promise<Snap>;
  onValue(
    path: string,
    cb: (snap: Snap) => void,
    constraints?: Constraint[],
    onError?: (error: Error) => void,
  ): () => void;
  onChild(path: string, cb: (event: ChildEvent, key: string, val: unknown) => void): () => void;
  transaction(
    path: string,
    update: (current: unknown) => unknown,
  ): Promise<{ committed: boolean; snap: Snap }>;
  serverTimestamp(): object;
  increment(n: number): object;
  goOffline(): void;
  goOnline(): void;
}

function snapOf(s: DataSnapshot | AdminSnapshot): Snap {
  const keys: string[] = [];
  s.forEach((c) => {
    keys.push(c.key as string);
    return false;
  });
  return {
    val: s.val(),
    exists: s.exists(),
    priority: ('getPriority' in s ? s.getPriority() : s.priority) as string | number | null,
    keys,
  };
}

function webConstraints(cs: Constraint[]): QueryConstraint[] {
  return cs.map((c) => {
    switch (c[0]) {
      case 'orderByChild':
        return orderByChild(c[1]);
      case 'orderByKey':
        return orderByKey();
      case 'orderByValue':
        return orderByValue();
      case 'orderByPriority':
        return orderByPriority();
      case 'startAt':
        return startAt(c[1], c[2]);
      case 'endAt':
        return endAt(c[1], c[2]);
      case 'equalTo':
        return equalTo(c[1], c[2]);
      case 'startAfter':
        return startAfter(c[1], c[2]);
      case 'endBefore':
        return endBefore(c[1], c[2]);
      case 'limitToFirst':
        return limitToFirst(c[1]);
      case 'limitToLast':
        return limitToLast(c[1]);
    }
  });
}

export function webClient(db: Database): SdkClient {
  const q = (path: string, cs: Constraint[] = []): Query =>
    cs.length === 0 ? ref(db, path) : query(ref(db, path), ...webConstraints(cs));
  return {
    kind: 'web',
    set: (path, value) => set(ref(db, path), value),
    setWithPriority: (path, value, priority) => setWithPriority(ref(db, path), value, priority),
    setPriority: (path, priority) => setPriority(ref(db, path), priority),
    update: (path, values) => update(ref(db, path), values),
    remove: (path) => remove(ref(db, path)),
    get: async (path, cs) => snapOf(await get(q(path, cs))),
    onValue: (path, cb, cs, onError) =>
      onValue(
        q(path, cs),
        (s) => cb(snapOf(s)),
        (e) => onError?.(e),
      ),
    onChild: (path, cb) => {
      const r = ref(db, path);
      const offs = [
        onChildAdded(r, (s) => cb('added', s.key as string, s.val())),
        onChildChanged(r, (s) => cb('changed', s.key as string, s.val())),
        onChildRemoved(r, (s) => cb('removed', s.key as string, s.val())),
        onChildMoved(r, (s) => cb('moved', s.key as string, s.val())),
      ];
      return () => offs.forEach((off) => off());
    },
    transaction: async (path, fn) => {
      const r = await runTransaction(ref(db, path), fn, { applyLocally: true });
      return { committed: r.committed, snap: snapOf(r.snapshot) };
    },
    serverTimestamp: () => serverTimestamp(),
    increment: (n) => increment(n),
    goOffline: () => goOffline(db),
    goOnline: () => goOnline(db),
  };
}

function adminQuery(db: AdminDatabase, path: string, cs: Constraint[]): AdminQuery {
  let q: AdminQuery = db.ref(path);
  for (const c of cs) {
    switch (c[0]) {
      case 'orderByChild':
        q = q.orderByChild(c[1]);
        break;
      case 'orderByKey':
        q = q.orderByKey();
        break;
      case 'orderByValue':
        q = q.orderByValue();
        break;
      case 'orderByPriority':
        q = q.orderByPriority();
        break;
      case 'startAt':
        q = q.startAt(c[1], c[2]);
        break;
      case 'endAt':
        q = q.endAt(c[1], c[2]);
        break;
      case 'equalTo':
        q = q.equalTo(c[1], c[2]);
        break;
      case 'startAfter':
        q = q.startAfter(c[1], c[2]);
        break;
      case 'endBefore':
        q = q.endBefore(c[1], c[2]);
        break;
      case 'limitToFirst':
        q = q.limitToFirst(c[1]);
        break;
      case 'limitToLast':
        q = q.limitToLast(c[1]);
        break;
    }
  }
  return q;
}

export function adminClient(db: AdminDatabase): SdkClient {
  return {
    kind: 'admin',
    set: (path, value) => db.ref(path).set(value),
    setWithPriority: (path, value, priority) => db.ref(path).setWithPriority(value, priority),
    setPriority: (path, priority) => db.ref(path).setPriority(priority, () => undefined),
    update: (path, values) => db.ref(path).update(values),
    remove: (path) => db.ref(path).remove(),
    get: async (path, cs = []) => snapOf(await adminQuery(db, path, cs).get()),
    onValue: (path, cb, cs = [], onError) => {
      const q = adminQuery(db, path, cs);
      const handler = (s: AdminSnapshot): void => cb(snapOf(s));
      q.on('value', handler, (e: Error) => onError?.(e));
      return () => q.off('value', handler);
    },
    onChild: (path, cb) => {
      const r = db.ref(path);
      const handlers = {
        child_added: (s: AdminSnapshot) => cb('added', s.key as string, s.val()),
        child_changed: (s: AdminSnapshot) => cb('changed', s.key as string, s.val()),
        child_removed: (s: AdminSnapshot) => cb('removed', s.key as string, s.val()),
        child_moved: (s: AdminSnapshot) => cb('moved', s.key as string, s.val()),
      };
      for (const [event, h] of Object.entries(handlers)) r.on(event as 'child_added', h);
      return () => {
        for (const [event, h] of Object.entries(handlers)) r.off(event as 'child_added', h);
      };
    },
    transaction: async (path, fn) => {
      const r = await db.ref(path).transaction(fn);
      return { committed: r.committed, snap: snapOf(r.snapshot) };
    },
    serverTimestamp: () => ServerValue.TIMESTAMP,
    increment: (n) => ServerValue.increment(n),
    goOffline: () => db.goOffline(),
    goOnline: () => db.goOnline(),
  };
}
