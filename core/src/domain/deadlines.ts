import type { PoolConfig } from '../contract/pool-config';
import type { VmErrorCause, VmRecord, VmStatus } from '../contract/vm-record';

/** Which setting bounds a transitional status: warm-up × start factor, stop, release timeout. */
export type DeadlineBudget = 'warmup' | 'stop' | 'release';
/** The EC2 call that is repeated once when a transitional status misses its deadline. */
export type DeadlineRetry = 'start' | 'stop' | 'terminate';

export interface DeadlineRule {
  budget: DeadlineBudget;
  /** null: no retry; the status goes straight to error (a release finishes itself). */
  retry: DeadlineRetry | null;
  /** The VM's `errorCause` when the status runs out of time for good. */
  timeoutCause: VmErrorCause;
}

/** The statuses that time out (STATUS_INFO's `transitional`). */
export type TimedStatus = 'starting' | 'stopping' | 'terminating' | 'releasing';

/** The deadline of every transitional status (`deadline_passed` ends each of them). */
export const DEADLINE_RULES: Readonly<Record<TimedStatus, DeadlineRule>> = Object.freeze({
  starting: { budget: 'warmup', retry: 'start', timeoutCause: 'start_timeout' },
  stopping: { budget: 'stop', retry: 'stop', timeoutCause: 'stop_timeout' },
  terminating: { budget: 'stop', retry: 'terminate', timeoutCause: 'terminate_timeout' },
  releasing: { budget: 'release', retry: null, timeoutCause: 'release_incomplete' },
});

/** The deadline rule of a status; null for a status that does not time out. */
export function deadlineRule(status: VmStatus): DeadlineRule | null {
  return (DEADLINE_RULES as Partial<Record<VmStatus, DeadlineRule>>)[status] ?? null;
}

/** The control plane's own limits (deploy settings, not pool config). */
export interface DeadlineSettings {
  /** A start may take this many times the pool's `warmupTimeSeconds`. */
  startDeadlineFactor: number;
  /** How long a stop or a terminate may take, in ms. */
  stopDeadlineMs: number;
  /** How long a release (its cleanup included) may take, in ms. */
  releaseTimeoutMs: number;
}

/** Everything a deadline is computed from: the pool's warm-up time and the settings. */
export type DeadlineLimits = DeadlineSettings & Pick<PoolConfig, 'warmupTimeSeconds'>;

function budgetMs(budget: DeadlineBudget, limits: DeadlineLimits): number {
  switch (budget) {
    case 'warmup':
      return limits.warmupTimeSeconds * 1000 * limits.startDeadlineFactor;
    case 'stop':
      return limits.stopDeadlineMs;
    case 'release':
      return limits.releaseTimeoutMs;
  }
}

/**
 * When a VM that enters `status` at `now` must have left it; null for a status without a
 * deadline. The one place deadlines are computed: every status change that sets `deadline`
 * (and the release's own deadline) goes through it.
 */
export function deadlineFor(status: TimedStatus, now: number, limits: DeadlineLimits): number;
export function deadlineFor(status: VmStatus, now: number, limits: DeadlineLimits): number | null;
export function deadlineFor(status: VmStatus, now: number, limits: DeadlineLimits): number | null {
  const rule = deadlineRule(status);
  return rule === null ? null : now + budgetMs(rule.budget, limits);
}

/** A transitional status is retried this many times at its deadline before it fails. */
export const DEADLINE_RETRY_LIMIT = 1;

/** Whether a VM past its deadline gets its EC2 call repeated (rather than failing now). */
export function deadlineRetryLeft(vm: Pick<VmRecord, 'status' | 'deadlineRetries'>): boolean {
  return deadlineRule(vm.status)?.retry != null && vm.deadlineRetries < DEADLINE_RETRY_LIMIT;
}

/** When a starting VM is expected to be ready: its start plus the pool's warm-up time. */
export function estimatedReadyAt(
  startedAt: number,
  config: Pick<PoolConfig, 'warmupTimeSeconds'>,
): number {
  return startedAt + config.warmupTimeSeconds * 1000;
}
