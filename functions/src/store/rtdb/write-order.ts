import type { Database, Reference } from 'firebase-admin/database';

/**
 * Issue 11: the control plane's writes never abort its own transactions.
 *
 * The RTDB SDK aborts a transaction of this instance ("set") when the instance writes at, above
 * or below its path. A transaction already sent is only marked for abort, and a second such
 * write before the server's answer drops it from the SDK's queue (`repoAbortTransactionsOnNode`
 * counts only SENT items, not SENT_NEEDS_ABORT ones, as still waiting, and clears the node's
 * queue). When the server then answers `datastale` (another client changed the node, e.g. an
 * agent's report), the SDK looks for the transaction in that queue to abort it, does not find
 * it, and its promise never settles. In the local functions host that was a reconcile that
 * never finished: no reconcile ran again (one at a time) and Ctrl-C waited for it forever.
 * (@firebase/database 1.1.5; 1.1.6, pinned by the root package.json's overrides, fixes it in
 * the SDK; this order keeps the store's writes from aborting its transactions at all.)
 *
 * `orderWrites(db)` is the same database with an order between the two kinds of operation on
 * overlapping paths (one path at, above or below the other), per SDK instance:
 * - a write (set, update, remove, push with a value) starts once every transaction begun
 *   before it on an overlapping path has settled, and after the earlier writes there (so
 *   writes keep their order);
 * - a transaction starts once the writes begun before it on an overlapping path have been
 *   handed to the SDK (then it runs on the value they leave; the SDK does not abort it).
 * Operations with nothing to wait for start at once, in the caller's turn, as before. Each
 * waits only for operations begun earlier, so nothing waits in a cycle. Reads and listens
 * are untouched.
 */
export function orderWrites(db: Database): Database {
  let order = orders.get(db);
  if (order === undefined) {
    order = new WriteOrder();
    orders.set(db, order);
  }
  const ordered = order;
  return new Proxy(db, {
    get(target, property) {
      if (property === 'ref')
        return (path?: string) => orderedRef(target.ref(path), segments(path), ordered);
      return bound(target, property);
    },
  });
}

type Path = readonly string[];

interface Pending {
  kind: 'write' | 'transaction';
  paths: Path[];
  /** a write: handed to the SDK; a transaction: settled */
  released: Promise<void>;
}

const orders = new WeakMap<Database, WriteOrder>();

class WriteOrder {
  private pending: Pending[] = [];

  run<T>(kind: Pending['kind'], paths: Path[], start: () => Promise<T>): Promise<T> {
    const blockers = this.pending
      .filter(
        (earlier) => (kind === 'write' || earlier.kind === 'write') && overlap(earlier, paths),
      )
      .map((earlier) => earlier.released);
    let release = () => undefined as void;
    const entry: Pending = {
      kind,
      paths,
      released: new Promise<void>((resolve) => {
        release = resolve;
      }),
    };
    this.pending.push(entry);
    const done = () => {
      release();
      this.pending = this.pending.filter((other) => other !== entry);
    };
    const go = (): Promise<T> => {
      let operation: Promise<T>;
      try {
        operation = start();
      } catch (error) {
        operation = Promise.reject(error as Error);
      }
      if (kind === 'write') done();
      else operation.then(done, done);
      return operation;
    };
    return blockers.length === 0 ? go() : Promise.all(blockers).then(go);
  }
}

function overlap(entry: Pending, paths: Path[]): boolean {
  return entry.paths.some((a) => paths.some((b) => isPrefix(a, b) || isPrefix(b, a)));
}

function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => path[index] === segment);
}

function segments(path: string | undefined): string[] {
  return (path ?? '').split('/').filter((segment) => segment !== '');
}

function bound(target: object, property: string | symbol): unknown {
  const value = Reflect.get(target, property, target) as unknown;
  return typeof value === 'function'
    ? (value as (...args: unknown[]) => unknown).bind(target)
    : value;
}

type Callback = (error: Error | null) => void;

function orderedRef(ref: Reference, path: Path, order: WriteOrder): Reference {
  const write = (paths: Path[], start: () => Promise<void>) => order.run('write', paths, start);
  return new Proxy(ref, {
    get(target, property) {
      switch (property) {
        case 'child':
          return (child: string) =>
            orderedRef(target.child(child), [...path, ...segments(child)], order);
        case 'parent':
          return target.parent === null
            ? null
            : orderedRef(target.parent, path.slice(0, -1), order);
        case 'root':
          return orderedRef(target.root, [], order);
        case 'set':
          return (value: unknown, onComplete?: Callback) =>
            write([path], () => target.set(value, onComplete));
        case 'setWithPriority':
          return (value: unknown, priority: string | number | null, onComplete?: Callback) =>
            write([path], () => target.setWithPriority(value, priority, onComplete));
        case 'setPriority':
          return (priority: string | number | null, onComplete: Callback) =>
            write([path], () => target.setPriority(priority, onComplete));
        case 'remove':
          return (onComplete?: Callback) => write([path], () => target.remove(onComplete));
        case 'update':
          return (values: object, onComplete?: Callback) =>
            write(
              Object.keys(values ?? {}).map((key) => [...path, ...segments(key)]),
              () => target.update(values, onComplete),
            );
        case 'transaction':
          return (...args: Parameters<Reference['transaction']>) =>
            order.run('transaction', [path], () => target.transaction(...args));
        case 'push':
          return (value?: unknown, onComplete?: Callback) => {
            const pushed = target.push();
            const child = orderedRef(pushed, [...path, pushed.key ?? ''], order);
            if (value === undefined) return child;
            const written = child.set(value, onComplete);
            return Object.assign(child, {
              then: written.then.bind(written),
              catch: written.catch.bind(written),
            });
          };
        default:
          return bound(target, property);
      }
    },
  });
}
