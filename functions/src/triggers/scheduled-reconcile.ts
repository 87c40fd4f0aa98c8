import { onSchedule } from 'firebase-functions/v2/scheduler';
import { reconcile } from '../usecases/reconcile/reconcile';
import { runtimeDeps } from './runtime';

/** Every minute: make the pool converge (see usecases/reconcile/reconcile.ts). */
export const scheduledReconcile = onSchedule(
  { schedule: 'every 1 minutes', timeoutSeconds: 300, retryCount: 0 },
  async () => {
    await reconcile(runtimeDeps());
  },
);
