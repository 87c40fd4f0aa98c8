import { onTaskDispatched } from 'firebase-functions/v2/tasks';
import { recheckFailover } from '../usecases/failover/recheck';
import { runtimeDeps } from './runtime';

/**
 * A failover re-check (Cloud Tasks; enqueued when a show VM's failure is first seen, due once it
 * lasted failoverAfterSeconds): the switch happens then, not at the next reconcile (issue 12).
 * Deployed as `failoverRecheck` (core FAILOVER_RECHECK_FUNCTION); the Firebase CLI creates its
 * queue (in the default region, us-central1: VMPOOL_FUNCTIONS_REGION must name the same). A
 * failed run is tried 3 times (5 s, then 10 s later), at most 20 at once; reconcile stays the
 * fallback. Why these options: functions/README.md, "The queue and its task options".
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
