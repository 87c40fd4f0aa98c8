/**
 * The only module that calls the RTDB SDK's read/write functions. Everything above it works
 * with plain values, parsed by core's validators, so components stay testable.
 */
import { onValue, push, ref, serverTimestamp, set, update, type Database } from 'firebase/database';

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
 * Creates a row under `listPath` with a push id chosen on the client, so the caller can follow
 * the row (and its result) before the write is acknowledged.
 */
export async function pushRow(
  db: Database,
  listPath: string,
  row: Record<string, unknown>,
): Promise<string> {
  const rowRef = push(ref(db, listPath));
  const id = rowRef.key;
  if (id === null) throw new Error(`push under ${listPath} returned no key`);
  await described(set(rowRef, row));
  return id;
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
