import { onSchedule } from 'firebase-functions/v2/scheduler';
import { retryAlertNotifications } from '../usecases/notifications/alert-notifications';
import { reconcile } from '../usecases/reconcile/reconcile';
import { runtimeDeps } from './runtime';
import { alertWebhookSecret } from './secrets';

/** Every minute: make the pool converge (see usecases/reconcile/reconcile.ts). */
export const scheduledReconcile = onSchedule(
  {
    schedule: 'every 1 minutes',
    timeoutSeconds: 300,
    retryCount: 0,
    secrets: [alertWebhookSecret],
  },
  async () => {
    const deps = runtimeDeps();
    // Alert webhook posts that failed earlier are tried again beside the reconcile (this never
    // throws, and a broken reconcile does not hold them back).
    const retrying = retryAlertNotifications(deps);
    try {
      await reconcile(deps);
    } finally {
      await retrying;
    }
  },
);
