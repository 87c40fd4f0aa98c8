import type { Reference } from 'firebase-admin/database';

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
