import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROL_PLANE_CONFIG } from '../src/config/control-plane-config';
import { failoverRecheck } from '../src/triggers/failover-recheck';

/** What `firebase deploy` reads from the task queue function (firebase-functions' manifest). */
interface TaskQueueEndpoint {
  region?: unknown;
  timeoutSeconds?: unknown;
  taskQueueTrigger: {
    retryConfig: Record<string, unknown>;
    rateLimits: Record<string, unknown>;
  };
}

const endpoint = (failoverRecheck as unknown as { __endpoint: TaskQueueEndpoint }).__endpoint;

describe('the failoverRecheck task function as deployed (functions/README.md)', () => {
  it('deploys to the default region, the queue region the adapter uses by default', () => {
    // A region set on the trigger would need VMPOOL_FUNCTIONS_REGION set alike.
    expect(endpoint.region).toBeUndefined();
    expect(DEFAULT_CONTROL_PLANE_CONFIG.functionsRegion).toBe('us-central1');
  });

  it('retries a failed run twice, 5 s apart and more, with bounded concurrency', () => {
    expect(endpoint.taskQueueTrigger.retryConfig).toMatchObject({
      maxAttempts: 3,
      minBackoffSeconds: 5,
    });
    expect(endpoint.taskQueueTrigger.rateLimits).toMatchObject({ maxConcurrentDispatches: 20 });
    expect(endpoint.timeoutSeconds).toBe(120);
  });
});
