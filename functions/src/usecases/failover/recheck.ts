import {
  failoverRecheckDelaySeconds,
  parseFailoverRecheckTask,
  type FailoverRecheckTask,
  type PoolConfig,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { readConfigOrDefaults } from '../shared/pool-config';
import { scheduleFailoverRecheck } from './recheck-schedule';
import { watchVmNow } from './watch';

export type RecheckOutcome =
  /** The failure this re-check was about is over or moved on (cleared, switched, another one). */
  | { kind: 'stale'; why: string }
  /** Judged again: the failover steps ran (switch, offer, alert, or clear when it recovered). */
  | { kind: 'judged'; state: string | null }
  /** Delivered early (clock skew): scheduled again for when it is due. */
  | { kind: 'rescheduled'; delaySeconds: number };

/**
 * A failover re-check (the `failoverRecheck` task, issue 12): the VM that was failing since
 * `task.since` is judged again now, through the same steps reconcile runs, so a failure that
 * lasted failoverAfterSeconds is switched (offered, alerted) without waiting for the next
 * reconcile. Idempotent: a duplicate, a late delivery, or a VM that recovered meanwhile changes
 * nothing beyond what reconcile would do. A malformed task is refused (not retried).
 */
export async function recheckFailover(deps: UseCaseDeps, raw: unknown): Promise<RecheckOutcome> {
  const parsed = parseFailoverRecheckTask(raw);
  if (!parsed.ok) {
    deps.logger.error('failover re-check: malformed task; dropped', { errors: parsed.errors });
    return { kind: 'stale', why: `malformed task: ${parsed.errors.join('; ')}` };
  }
  const task = parsed.value;
  const record = await deps.store.getFailover(task.competitionId);
  if (record?.failedVmId !== task.vmId || record.since !== task.since) {
    return { kind: 'stale', why: 'no such failure is being watched any more' };
  }
  if (record.state !== 'watching') {
    return { kind: 'stale', why: `the failover is ${record.state} already` };
  }
  const vm = await deps.store.getVm(task.vmId);
  if (vm === null) return { kind: 'stale', why: `${task.vmId} is gone` };
  const config = await readConfigOrDefaults(deps);
  const now = deps.clock.now();
  if (now - record.since < config.failoverAfterSeconds * 1000) {
    const delaySeconds = failoverRecheckDelaySeconds(record.since, now, config);
    await scheduleFailoverRecheck(deps, config, task, now);
    return { kind: 'rescheduled', delaySeconds };
  }
  await watchVmNow(deps, config, vm);
  return {
    kind: 'judged',
    state: (await deps.store.getFailover(task.competitionId))?.state ?? null,
  };
}
