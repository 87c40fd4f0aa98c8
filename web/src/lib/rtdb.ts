/**
 * The RTDB helpers the features' `api/` modules build on: a value listener, writes whose
 * failures come back in words, and client-side push ids. Components and hooks never call the
 * SDK themselves; they go through an `api/` module, which parses what it reads with core's
 * validators. (commands' `api/` also runs its own query for a VM's newest commands.)
 */
import {
  equalTo,
  get,
  onValue,
  orderByChild,
  push,
  query,
  ref,
  serverTimestamp,
  set,
  startAt,
  update,
  type Database,
} from 'firebase/database';

export type Unsubscribe = () => void;

/** Turns SDK errors (mostly permission_denied) into words an operator can act on. */
export function describeDataError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/permission[_ ]denied/i.test(message)) {
    return 'Permission denied: your account may not read or change this.';
  }
  return message;
}

/** Calls `onData` with the raw value at `path` now and after every change. */
export function watchValue(
  db: Database,
  path: string,
  onData: (value: unknown) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return onValue(
    ref(db, path),
    (snapshot) => onData(snapshot.val()),
    (error) => onError(describeDataError(error)),
  );
}

/**
 * Calls `onData` with the children of `path` whose `child` equals `value` (an indexed query),
 * now and after every change.
 */
export function watchWhereEquals(
  db: Database,
  path: string,
  child: string,
  value: string,
  onData: (value: unknown) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return onValue(
    query(ref(db, path), orderByChild(child), equalTo(value)),
    (snapshot) => onData(snapshot.val()),
    (error) => onError(describeDataError(error)),
  );
}

/**
 * Calls `onData` with the children of `path` whose numeric `child` is at least `from` (an
 * indexed range query: the server sends only those), now and after every change.
 */
export function watchFrom(
  db: Database,
  path: string,
  child: string,
  from: number,
  onData: (value: unknown) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return onValue(
    query(ref(db, path), orderByChild(child), startAt(from)),
    (snapshot) => onData(snapshot.val()),
    (error) => onError(describeDataError(error)),
  );
}

/** Reads the raw value at `path` once; a failure comes back in words. */
export async function readValue(db: Database, path: string): Promise<unknown> {
  try {
    return (await get(ref(db, path))).val() as unknown;
  } catch (error) {
    throw new Error(describeDataError(error), { cause: error });
  }
}

/** The server's time as this client estimates it (`.info/serverTimeOffset`). */
export async function estimatedServerTime(db: Database): Promise<number> {
  const offset = await new Promise<number>((resolve) => {
    const stop = onValue(
      ref(db, '.info/serverTimeOffset'),
      (snapshot) => {
        queueMicrotask(() => stop());
        resolve(typeof snapshot.val() === 'number' ? (snapshot.val() as number) : 0);
      },
      () => resolve(0),
    );
  });
  return Date.now() + offset;
}

/** Reserves a push id without writing, for callers that need the id first. */
export function newPushId(db: Database, listPath: string): string {
  const id = push(ref(db, listPath)).key;
  if (id === null) throw new Error(`push under ${listPath} returned no key`);
  return id;
}

/** Runs a write; a failure comes back as an Error whose message an operator can act on. */
async function described(write: Promise<void>): Promise<void> {
  try {
    await write;
  } catch (error) {
    throw new Error(describeDataError(error), { cause: error });
  }
}

export function writeValue(db: Database, path: string, value: unknown): Promise<void> {
  return described(set(ref(db, path), value));
}

export function updateValues(
  db: Database,
  path: string,
  values: Record<string, unknown>,
): Promise<void> {
  return described(update(ref(db, path), values));
}

export { serverTimestamp };
