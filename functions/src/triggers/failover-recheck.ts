import { onTaskDispatched } from 'firebase-functions/v2/tasks';
import { recheckFailover } from '../usecases/failover/recheck';
import { runtimeDeps } from './runtime';

/**
 * A failover re-check (Cloud Tasks; enqueued when a show VM's failure is first seen, due once it
 * lasted failoverAfterSeconds): the switch happens then, not at the next reconcile (issue 12).
 * Deployed as `failoverRecheck` (core FAILOVER_RECHECK_FUNCTION); the Firebase CLI creates its
 * queue. A failed run is retried a few times; reconcile stays the fallback.
 */
export const failoverRecheck = onTaskDispatched(
  {
    retryConfig: { maxAttempts: 3, minBackoffSeconds: 5 },
    rateLimits: { maxConcurrentDispatches: 20 },
    timeoutSeconds: 120,
  },
  async (request) => {
    await recheckFailover(runtimeDeps(), request.data as unknown);
  },
);
