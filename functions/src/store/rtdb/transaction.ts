import type { Reference } from 'firebase-admin/database';

/**
 * How often a transaction aborted by a write of this same SDK instance is run again. The SDK
 * aborts a transaction ("set") when the instance writes (set, update, remove) at, above or
 * below its path before the server answered it; nothing of it was written, so it runs again on
 * the new value. Issue 17: this lets plain writes (a multi-path update of an assign's links, a
 * request's closing entries) touch nodes that transactions of concurrent handlers also change.
 */
const SET_ABORT_RETRIES = 8;

/** How a guarded transaction starts (issue 17). */
export interface TransactionOptions {
  /**
   * The node usually exists (a VM record, a request's result): its value is fetched first and
   * the transaction started on it, so that its first attempt is the right one. Without it the
   * SDK sends a first attempt on what it has cached (nothing, unless the node is listened to),
   * which the server refuses as stale, and runs again once the node's value arrived: two
   * attempts, a refusal and a rerun more for every transaction on an existing node. A node
   * that is usually absent (a new request's lease, a free competition's lock) starts at once.
   */
  prefetch?: boolean;
}

/**
 * A transaction whose update function may fail (the error of its last run is rethrown) or
 * decline with `undefined`. Declining never aborts on the SDK's cached value, which may be
 * stale: the unchanged value is written back, so the server checks it and, when it differs,
 * the update runs again on the real value. `committed` is true only when `update` changed it.
 */
export async function guardedTransaction(
  ref: Reference,
  update: (current: unknown) => unknown,
  options: TransactionOptions = {},
): Promise<{ committed: boolean; value: unknown }> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await transactionOnce(ref, update, options.prefetch === true && attempt === 0);
    } catch (error) {
      if (!abortedBySet(error) || attempt >= SET_ABORT_RETRIES) throw error;
    }
  }
}

function abortedBySet(error: unknown): boolean {
  return error instanceof Error && error.message === 'set';
}

async function transactionOnce(
  ref: Reference,
  update: (current: unknown) => unknown,
  prefetch: boolean,
): Promise<{ committed: boolean; value: unknown }> {
  let failure: unknown = null;
  let declined = false;
  const start = () =>
    ref.transaction(
      (current: unknown) => {
        failure = null;
        declined = false;
        try {
          const next = update(current);
          if (next !== undefined) return next;
          declined = true;
          return current;
        } catch (error) {
          // Written back unchanged: if the cache was stale the update runs again on fresh data.
          failure = error;
          return current;
        }
      },
      undefined,
      false,
    );
  const outcome = await (prefetch ? startOnValue(ref, start) : start());
  if (failure !== null) throw failure;
  return {
    committed: outcome.committed && !declined,
    value: outcome.snapshot.val() as unknown,
  };
}

/**
 * Listens to the node until its value arrives, starts the transaction then (the SDK runs it on
 * that value: the transaction's own listener takes over before this one stops, so the value
 * stays cached), and stops listening. No more listens than a transaction alone: one.
 */
function startOnValue<T>(ref: Reference, start: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let started = false;
    const onValue = () => {
      if (started) return;
      started = true;
      try {
        start().then(resolve, reject);
      } finally {
        ref.off('value', onValue);
      }
    };
    ref.on('value', onValue, (error: Error) => reject(error));
  });
}
