import { createHash } from 'node:crypto';
import type { App } from 'firebase-admin/app';
import { getFunctions } from 'firebase-admin/functions';
import { FAILOVER_RECHECK_FUNCTION, type FailoverRecheckTask } from '@vmpool/core';
import type { FailoverRecheckScheduler } from '../../usecases/deps';

/**
 * Failover re-checks through Cloud Tasks (firebase-admin's task queue of the `failoverRecheck`
 * function, in the functions' region). Each failure and round gets one task id (hashed, as Cloud
 * Tasks asks), so a duplicate enqueue of the same re-check is refused by Cloud Tasks and ignored
 * here.
 */
export function createCloudTasksRecheck(app: App, region?: string): FailoverRecheckScheduler {
  const name =
    region === undefined
      ? FAILOVER_RECHECK_FUNCTION
      : `locations/${region}/functions/${FAILOVER_RECHECK_FUNCTION}`;
  const queue = getFunctions(app).taskQueue<FailoverRecheckTask>(name);
  return {
    async schedule(task, delaySeconds) {
      const id = createHash('sha256')
        .update(`${task.competitionId}/${task.vmId}/${task.since}/${task.round}`)
        .digest('hex');
      try {
        await queue.enqueue(task, { scheduleDelaySeconds: delaySeconds, id });
      } catch (error) {
        if ((error as { code?: string }).code === 'functions/task-already-exists') return;
        throw error;
      }
    },
  };
}
