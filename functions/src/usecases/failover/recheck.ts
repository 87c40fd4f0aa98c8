import {
  failoverRecheckDelaySeconds,
  FAILOVER_RECHECK_MAX_ROUNDS,
  parseFailoverRecheckTask,
  type FailoverRecheckTask,
  type FailoverRecord,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { readConfigOrDefaults } from '../shared/pool-config';
import { scheduleFailoverFollowUp, scheduleFailoverRecheck } from './recheck-schedule';
import { markSpareLive } from './spare-live';
import { driveSwitch } from './switch-show';
import { watchVmNow } from './watch';

export type RecheckOutcome =
  /** The failure this re-check was about is over or moved on (cleared, done, another one). */
  | { kind: 'stale'; why: string }
  /**
   * Judged or driven again: `state` is the record's state afterwards (null: the failure
   * cleared); `followUp` the seconds to the next re-check while the switch runs, or null.
   */
  | { kind: 'judged'; state: FailoverRecord['state'] | null; followUp: number | null }
  /** Delivered early (clock skew): scheduled again for when it is due. */
  | { kind: 'rescheduled'; delaySeconds: number };

/**
 * A failover re-check (the `failoverRecheck` task, issue 12). Round 0 comes when the failure
 * seen at `task.since` has lasted failoverAfterSeconds: the VM is judged again now, through the
 * same steps reconcile runs, so the show is switched (offered, alerted; or the failure cleared
 * when the VM recovered) without waiting for the next reconcile. While the switch then runs (its
 * assign may be run by the request trigger, or wait for a cold spare) and until the spare is
 * live, follow-ups drive it on every few seconds, so the record, the alerts and the spare's
 * "live" note do not wait for a reconcile either. Idempotent: duplicates, late deliveries and
 * a VM that recovered meanwhile change nothing beyond what reconcile would do. A malformed task
 * is dropped (logged), not retried.
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
  const config = await readConfigOrDefaults(deps);
  const now = deps.clock.now();
  switch (record.state) {
    case 'watching': {
      if (now - record.since < config.failoverAfterSeconds * 1000) {
        if (task.round >= FAILOVER_RECHECK_MAX_ROUNDS) {
          return { kind: 'stale', why: 'too many early deliveries; reconcile judges it' };
        }
        const delaySeconds = failoverRecheckDelaySeconds(record.since, now, config);
        await scheduleFailoverRecheck(deps, config, { ...task, round: task.round + 1 }, now);
        return { kind: 'rescheduled', delaySeconds };
      }
      const vm = await deps.store.getVm(task.vmId);
      if (vm === null) return { kind: 'stale', why: `${task.vmId} is gone` };
      await watchVmNow(deps, config, vm);
      return followUp(deps, task);
    }
    case 'switching':
      await driveSwitch(deps, record, config);
      return followUp(deps, task);
    case 'switched':
      if (record.liveAt !== null) return { kind: 'stale', why: 'the spare is live already' };
      await markSpareLive(deps, record, config);
      return followUp(deps, task);
    case 'offered':
    case 'alerted':
    case 'abandoned':
      return { kind: 'stale', why: `the failover is ${record.state}` };
  }
}

/** After a step: a follow-up while the switch runs or its spare is not live yet. */
async function followUp(deps: UseCaseDeps, task: FailoverRecheckTask): Promise<RecheckOutcome> {
  const after = await deps.store.getFailover(task.competitionId);
  const ours = after?.failedVmId === task.vmId && after.since === task.since ? after : null;
  const running =
    ours !== null &&
    (ours.state === 'switching' || (ours.state === 'switched' && ours.liveAt === null));
  return {
    kind: 'judged',
    state: ours?.state ?? null,
    followUp: running ? await scheduleFailoverFollowUp(deps, task) : null,
  };
}
