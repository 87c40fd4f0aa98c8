import {
  failoverRecheckDelaySeconds,
  FAILOVER_RECHECK_FOLLOW_SECONDS,
  FAILOVER_RECHECK_MAX_ROUNDS,
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
  await schedule(deps, task, failoverRecheckDelaySeconds(task.since, now, config));
}

/**
 * Schedules the next follow-up of a switch that is still running (or whose spare is not live
 * yet), FAILOVER_RECHECK_FOLLOW_SECONDS from now; none past FAILOVER_RECHECK_MAX_ROUNDS.
 * Returns the delay, or null when none was scheduled.
 */
export async function scheduleFailoverFollowUp(
  deps: UseCaseDeps,
  task: FailoverRecheckTask,
): Promise<number | null> {
  if ((deps.failoverRecheck ?? null) === null) return null;
  if (task.round >= FAILOVER_RECHECK_MAX_ROUNDS) return null;
  await schedule(deps, { ...task, round: task.round + 1 }, FAILOVER_RECHECK_FOLLOW_SECONDS);
  return FAILOVER_RECHECK_FOLLOW_SECONDS;
}

async function schedule(
  deps: UseCaseDeps,
  task: FailoverRecheckTask,
  delaySeconds: number,
): Promise<void> {
  const scheduler = deps.failoverRecheck ?? null;
  if (scheduler === null) return;
  try {
    await scheduler.schedule(task, delaySeconds);
  } catch (error) {
    deps.logger.warn('failover re-check could not be scheduled; reconcile will judge it', {
      ...task,
      error: String(error),
    });
  }
}
