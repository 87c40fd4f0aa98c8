import type { Reference } from 'firebase-admin/database';

/**
 * How often a transaction aborted by a write of this same SDK instance is run again. The SDK
 * aborts a transaction ("set") when the instance writes (set, update, remove) at, above or
 * below its path before the server answered it; nothing of it was written, so it runs again on
 * the new value. Issue 17: this lets plain writes (a multi-path update of an assign's links, a
 * request's closing entries) touch nodes that transactions of concurrent handlers also change.
 */
const SET_ABORT_RETRIES = 8;

/**
 * A transaction whose update function may fail (the error of its last run is rethrown) or
 * decline with `undefined`. Declining never aborts on the SDK's cached value, which may be
 * stale: the unchanged value is written back, so the server checks it and, when it differs,
 * the update runs again on the real value. `committed` is true only when `update` changed it.
 */
export async function guardedTransaction(
  ref: Reference,
  update: (current: unknown) => unknown,
): Promise<{ committed: boolean; value: unknown }> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await transactionOnce(ref, update);
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
): Promise<{ committed: boolean; value: unknown }> {
  let failure: unknown = null;
  let declined = false;
  const outcome = await ref.transaction(
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
  if (failure !== null) throw failure;
  return {
    committed: outcome.committed && !declined,
    value: outcome.snapshot.val() as unknown,
  };
}
