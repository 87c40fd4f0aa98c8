// Exponential backoff with full jitter, so that a pool of agents that lost the database at
// the same moment does not come back in lockstep. Randomness is passed in.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, factor: 2 };

/** Delay before retry number `attempt` (0 = first retry); `random` returns [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  // Never below half the ceiling: full jitter down to 0 would hammer a failing endpoint.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
