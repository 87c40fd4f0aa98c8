import { createHash } from 'node:crypto';
import type { App } from 'firebase-admin/app';
import { getFunctions } from 'firebase-admin/functions';
import { FAILOVER_RECHECK_FUNCTION, type FailoverRecheckTask } from '@vmpool/core';
import type { FailoverRecheckScheduler } from '../../usecases/deps';

export interface CloudTasksRecheckOptions {
  /** The functions' region (control-plane config `functionsRegion`): the queue lives there. */
  region: string;
}

/**
 * The Cloud Tasks task id of a re-check: one per failure (competition, VM, `since`) and round,
 * hashed to the characters Cloud Tasks allows. The same task always gets the same id, so a
 * duplicate enqueue is refused by Cloud Tasks (409 ALREADY_EXISTS) instead of run twice.
 */
export function failoverRecheckTaskId(task: FailoverRecheckTask): string {
  return createHash('sha256')
    .update(`${task.competitionId}/${task.vmId}/${task.since}/${task.round}`)
    .digest('hex');
}

/**
 * Failover re-checks through Cloud Tasks: firebase-admin's task queue of the `failoverRecheck`
 * function in the functions' region. A duplicate of a task already enqueued (firebase-admin's
 * `functions/task-already-exists`) is success; any other refusal throws an error that names the
 * queue, the task and firebase-admin's code.
 */
export function createCloudTasksRecheck(
  app: App,
  options: CloudTasksRecheckOptions,
): FailoverRecheckScheduler {
  const name = `locations/${options.region}/functions/${FAILOVER_RECHECK_FUNCTION}`;
  const queue = getFunctions(app).taskQueue<FailoverRecheckTask>(name);
  return {
    async schedule(task, delaySeconds) {
      if (!Number.isFinite(delaySeconds) || delaySeconds < 0) {
        throw new Error(
          `failover re-check: delaySeconds must be a number of seconds >= 0, got ${delaySeconds}`,
        );
      }
      const id = failoverRecheckTaskId(task);
      try {
        // Whole seconds, rounded up: firebase-admin drops a fraction, and a re-check due early
        // would find the failure too young.
        await queue.enqueue(task, { scheduleDelaySeconds: Math.ceil(delaySeconds), id });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'functions/task-already-exists') return;
        throw new Error(
          `failover re-check of ${task.vmId} (competition ${task.competitionId}, round ${task.round}) ` +
            `could not be enqueued on ${name} (task ${id}): ` +
            `${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message}`,
          { cause: error },
        );
      }
    },
  };
}
