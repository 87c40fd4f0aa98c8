import {
  failoverRecheckDelaySeconds,
  type FailoverRecheckTask,
  type PoolConfig,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';

/**
 * Schedules the re-check of a failure (when one is possible: deps.failoverRecheck), due when it
 * has lasted failoverAfterSeconds. Never throws: reconcile remains the fallback.
 */
export async function scheduleFailoverRecheck(
  deps: UseCaseDeps,
  config: Pick<PoolConfig, 'failoverAfterSeconds'>,
  task: FailoverRecheckTask,
  now: number,
): Promise<void> {
  const scheduler = deps.failoverRecheck ?? null;
  if (scheduler === null) return;
  const delaySeconds = failoverRecheckDelaySeconds(task.since, now, config);
  try {
    await scheduler.schedule(task, delaySeconds);
  } catch (error) {
    deps.logger.warn('failover re-check could not be scheduled; reconcile will judge it', {
      ...task,
      error: String(error),
    });
  }
}
