import type { AlertDraft } from './alerts';
import type { FailoverRecord } from '../../contract/failover';
import type { FailedVmAction, PoolConfig } from '../../contract/pool-config';
import type { VmErrorCause, VmRecord } from '../../contract/vm-record';
import type { InstanceStatusChecks } from '../../ports/compute';
import { applyStatusChange, type ChangeResult } from '../vm-status';
import { isAgentStale } from './health';

/**
 * Mid-show failover (PRD §10.1): when a VM that holds a competition has failed, and for how
 * long, and what the control plane does about it. Pure: the show server probe's answer and the
 * time come in.
 */

/** What the control plane's probe of `GET http://{vmAddress}/api/status` found. */
export type ShowServerReach = 'reachable' | 'unreachable';

export type FailureVerdict =
  | { kind: 'healthy' }
  /** The agent is gone but the show server still answers: alert only, never a switch. */
  | { kind: 'degraded'; reason: string }
  | { kind: 'failed'; reason: string };

/** Error causes under which a VM still counts as its competition's (failed, not released). */
const WATCHED_ERROR_CAUSES: ReadonlySet<VmErrorCause> = new Set<VmErrorCause>([
  'agent_stale',
  'health_failed',
  'ec2_unexpected_state',
  'instance_missing',
]);

/** EC2 states in which the instance cannot serve a show. */
const DEAD_EC2_STATES: ReadonlySet<VmRecord['ec2State']> = new Set<VmRecord['ec2State']>([
  'stopping',
  'stopped',
  'shutting-down',
  'terminated',
]);

/**
 * The competition a failover watches this VM for, or null: a VM handed to a competition
 * (`assigned` or `in_use`), or one that failed while it held it (`error` for a reason other
 * than a release or a start that never finished).
 */
export function failoverWatchedCompetition(
  vm: Pick<VmRecord, 'status' | 'assignedTo' | 'errorCause'>,
): string | null {
  if (vm.assignedTo === null) return null;
  if (vm.status === 'assigned' || vm.status === 'in_use') return vm.assignedTo;
  if (vm.status === 'error' && vm.errorCause !== null && WATCHED_ERROR_CAUSES.has(vm.errorCause)) {
    return vm.assignedTo;
  }
  return null;
}

/** Whether the agent is gone (offline, never reported, or silent past agentStaleSeconds). */
export function agentGone(
  vm: Pick<VmRecord, 'agent'>,
  config: Pick<PoolConfig, 'agentStaleSeconds'>,
  now: number,
): boolean {
  return isAgentStale(vm.agent, config, now);
}

/** Whether EC2 says the instance cannot serve: stopped, going away, or missing. */
export function ec2Dead(vm: Pick<VmRecord, 'ec2State' | 'errorCause'>): boolean {
  return DEAD_EC2_STATES.has(vm.ec2State) || vm.errorCause === 'instance_missing';
}

// --- status checks (issue 12)
/** EC2's status checks as the verdict reads them (null: not asked, or EC2 did not say). */
export type StatusChecks = Pick<InstanceStatusChecks, 'instanceStatus' | 'systemStatus'>;

/**
 * Whether EC2's status checks failed (`impaired`), and which, in words; null when they did not
 * (ok, initializing, not applicable or insufficient data never count as a failure).
 */
export function failedStatusChecks(checks: StatusChecks | null): string | null {
  if (checks === null) return null;
  const failed = [
    ...(checks.instanceStatus === 'impaired' ? ['instance'] : []),
    ...(checks.systemStatus === 'impaired' ? ['system'] : []),
  ];
  if (failed.length === 0) return null;
  return `EC2 reports failed ${failed.join(' and ')} status checks`;
}
// --- end status checks

/**
 * The detection rule. Failed: EC2 reports the instance stopped, going or gone, or with failed
 * (impaired) instance or system status checks; or its agent is gone and the show server does
 * not answer at `vmAddress` (`showServer` is null when nobody probed it, e.g. there is no
 * address: that counts as unreachable). Degraded: the agent is gone but the show server
 * answers. Otherwise healthy. `statusChecks` is null when EC2 was not asked or did not say.
 */
export function failureVerdict(
  vm: Pick<VmRecord, 'agent' | 'ec2State' | 'errorCause'>,
  config: Pick<PoolConfig, 'agentStaleSeconds'>,
  now: number,
  showServer: ShowServerReach | null,
  statusChecks: StatusChecks | null = null,
): FailureVerdict {
  if (ec2Dead(vm)) {
    return {
      kind: 'failed',
      reason:
        vm.errorCause === 'instance_missing'
          ? 'the instance is gone from EC2'
          : `EC2 reports the instance ${vm.ec2State}`,
    };
  }
  const checksFailed = failedStatusChecks(statusChecks);
  if (checksFailed !== null) return { kind: 'failed', reason: checksFailed };
  if (!agentGone(vm, config, now)) return { kind: 'healthy' };
  const agentWords = vm.agent === null || !vm.agent.online ? 'agent offline' : 'agent silent';
  if (showServer === 'reachable') {
    return { kind: 'degraded', reason: `${agentWords}, but the show server still answers` };
  }
  return { kind: 'failed', reason: `${agentWords} and the show server does not answer` };
}

/** What to do about one competition's VM at this reconcile. */
export type FailoverStep =
  /** Nothing to do now. */
  | { kind: 'none' }
  /** Start (or restart, for another VM) the clock: record `watching` since now. */
  | { kind: 'watch'; since: number; reason: string }
  /** The failure cleared before anything was done: forget the record, resolve its alerts. */
  | { kind: 'clear' }
  /** Lasted failoverAfterSeconds in `auto` mode: switch the show to a spare. */
  | { kind: 'switch' }
  /** Lasted failoverAfterSeconds in `confirm` mode: offer the switch in the alert. */
  | { kind: 'offer' }
  /** Lasted failoverAfterSeconds in `off` mode: alert only. */
  | { kind: 'alert' }
  /** A switch was started and has not finished: drive it on. */
  | { kind: 'resume' };

/** Whether the record is still about a failure that has not been dealt with for good. */
export function isOpenFailover(record: Pick<FailoverRecord, 'state'>): boolean {
  return record.state !== 'switched' && record.state !== 'abandoned';
}

/**
 * Decides the next failover step for a competition whose VM `vmId` got `verdict` at `now`,
 * given the competition's failover record (null when none). Duplicate and repeated calls
 * give the same step for the same record, so reconciles may overlap.
 */
export function failoverStep(
  record: FailoverRecord | null,
  vmId: string,
  verdict: FailureVerdict,
  config: Pick<PoolConfig, 'failoverMode' | 'failoverAfterSeconds'>,
  now: number,
): FailoverStep {
  const current = record !== null && record.failedVmId === vmId ? record : null;
  if (current?.state === 'switching') return { kind: 'resume' };
  if (verdict.kind !== 'failed') {
    return current !== null && isOpenFailover(current) ? { kind: 'clear' } : { kind: 'none' };
  }
  if (current === null || !isOpenFailover(current)) {
    return { kind: 'watch', since: now, reason: verdict.reason };
  }
  if (current.state !== 'watching') return { kind: 'none' };
  if (now - current.since < config.failoverAfterSeconds * 1000) return { kind: 'none' };
  switch (config.failoverMode) {
    case 'auto':
      return { kind: 'switch' };
    case 'confirm':
      return { kind: 'offer' };
    case 'off':
      return { kind: 'alert' };
  }
}

/**
 * Takes a failed VM out of its competition: `assignedTo` and the rest of the assignment are
 * cleared and the VM is `error` with cause `failed_over`, whatever failed status it had, so it
 * only returns to the pool through a recovery once it is healthy again. Pass the record as it
 * is before the change; refused when the VM does not hold `competitionId`.
 */
export function takeOutOfShow(
  vm: VmRecord,
  competitionId: string,
  now: number,
  reason: string,
): ChangeResult<VmRecord> {
  if (vm.assignedTo !== competitionId) {
    return { ok: false, error: `${vm.vmId}: not assigned to ${competitionId}` };
  }
  const cleared = {
    assignedTo: null,
    assignedAt: null,
    assignedBy: null,
    requestId: null,
    deadline: null,
  };
  const statusReason = `failover: taken out of ${competitionId}: ${reason}`;
  if (vm.status === 'error') {
    return {
      ok: true,
      vm: { ...vm, ...cleared, errorCause: 'failed_over', statusReason, statusChangedAt: now },
    };
  }
  const changed = applyStatusChange(
    vm,
    { event: 'fail', cause: 'failed_over', reason: statusReason },
    now,
  );
  return changed.ok ? { ok: true, vm: { ...changed.vm, ...cleared } } : changed;
}

// --- the failed VM after the switch (issue 12)
export type FailedVmStep =
  /** The switch has not taken the VM out of the show yet: ask again later. */
  | { kind: 'wait' }
  /** Reboot it (EC2 runs it): it stays in `error` until its agent reports healthy again. */
  | { kind: 'reboot' }
  /**
   * Stop it: `error` → `stopping` (unless it already is), then EC2's stop (idempotent); it
   * rejoins the pool as `stopped` when EC2 reports it stopped.
   */
  | { kind: 'stop' }
  /** Nothing to do, for good: `why` in words. */
  | { kind: 'left'; why: string };

/**
 * What to do with a VM a failover took `competitionId` from, per the pool's `failedVmAction`.
 * Only a VM still out of the show in `error` (`failed_over`) is acted on, so a repeat after a
 * crash, or a VM that recovered or was moved by an admin meanwhile, changes nothing; a stop
 * already asked (`stopping`) is asked again (EC2's stop is idempotent).
 */
export function failedVmStep(
  vm: Pick<VmRecord, 'status' | 'errorCause' | 'assignedTo' | 'ec2State'> | null,
  competitionId: string,
  action: FailedVmAction,
): FailedVmStep {
  if (vm === null) return { kind: 'left', why: 'its record is gone' };
  if (vm.assignedTo === competitionId) return { kind: 'wait' };
  // Another show took it since (an admin fixed and re-assigned it): never touch that show's VM.
  if (vm.assignedTo !== null) return { kind: 'left', why: `it holds ${vm.assignedTo} now` };
  if (action === 'stop' && vm.status === 'stopping' && vm.assignedTo === null) {
    return { kind: 'stop' };
  }
  if (vm.status !== 'error' || vm.errorCause !== 'failed_over') {
    return { kind: 'left', why: `it is ${vm.status} now` };
  }
  if (action === 'reboot') {
    return vm.ec2State === 'running'
      ? { kind: 'reboot' }
      : { kind: 'left', why: `EC2 reports it ${vm.ec2State}: nothing to reboot` };
  }
  return vm.ec2State === 'running' || vm.ec2State === 'pending'
    ? { kind: 'stop' }
    : { kind: 'left', why: `EC2 reports it ${vm.ec2State}: nothing to stop` };
}
// --- end the failed VM

// --- failover re-check (issue 12)
/**
 * How many seconds from `now` a re-check of a failure seen at `since` is due: when it has lasted
 * `failoverAfterSeconds`, plus one second so that it surely has (at least 1).
 */
export function failoverRecheckDelaySeconds(
  since: number,
  now: number,
  config: Pick<PoolConfig, 'failoverAfterSeconds'>,
): number {
  const dueAt = since + config.failoverAfterSeconds * 1000;
  return Math.max(1, Math.ceil((dueAt - now) / 1000) + 1);
}
// --- end failover re-check

export const failoverSourceIds = {
  /** Critical: the VM failed and the show moves (or must move) to another VM. */
  failed: (vmId: string) => `failover-${vmId}`,
  /** Info: the spare that took over is live. */
  live: (spareVmId: string) => `failover-live-${spareVmId}`,
  /** Warning: the agent is gone but the show server answers. */
  degraded: (vmId: string) => `vm-degraded-${vmId}`,
} as const;

/** How old a restored state is, in words: `4 min`, `35 s`. */
export function describeAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}

interface AlertFacts {
  competitionId: string;
  failedVmId: string;
  reason: string;
  now: number;
}

function draft(
  facts: AlertFacts,
  fields: Pick<AlertDraft, 'sourceId' | 'level' | 'title' | 'message' | 'vmId'>,
): AlertDraft {
  return {
    scope: facts.competitionId,
    competitionId: facts.competitionId,
    category: 'vm',
    timestamp: facts.now,
    createdAt: facts.now,
    // A failover is history the producers must see and acknowledge: never resolved by itself.
    autoResolve: false,
    ...fields,
  };
}

/** The critical alert of a switch: which VM failed, the new VM and address, what was restored. */
export function switchedAlert(
  facts: AlertFacts & { spareVmId: string; spareAddress: string | null; restored: string },
): AlertDraft {
  const where = facts.spareAddress === null ? '' : ` at ${facts.spareAddress}`;
  return draft(facts, {
    sourceId: failoverSourceIds.failed(facts.failedVmId),
    level: 'critical',
    title: `${facts.failedVmId} failed: show moved to ${facts.spareVmId}`,
    message: `${facts.failedVmId} failed (${facts.reason}). ${facts.competitionId} now runs on ${facts.spareVmId}${where}. ${facts.restored}`,
    vmId: facts.spareVmId,
  });
}

/** The critical alert while a spare is still starting (no warm one): manual help may be needed. */
export function startingSpareAlert(
  facts: AlertFacts & { spareVmId: string; readyAt: number | null },
): AlertDraft {
  const eta =
    facts.readyAt === null ? '' : ` (ready in about ${describeAge(facts.readyAt - facts.now)})`;
  return draft(facts, {
    sourceId: failoverSourceIds.failed(facts.failedVmId),
    level: 'critical',
    title: `${facts.failedVmId} failed: starting ${facts.spareVmId}`,
    message: `${facts.failedVmId} failed (${facts.reason}) and no warm spare was free: ${facts.spareVmId} is starting for ${facts.competitionId}${eta}; manual intervention may be needed.`,
    vmId: facts.spareVmId,
  });
}

/** The critical alert when no VM could be had at all. */
export function noSpareAlert(facts: AlertFacts & { why: string }): AlertDraft {
  return draft(facts, {
    sourceId: failoverSourceIds.failed(facts.failedVmId),
    level: 'critical',
    title: `${facts.failedVmId} failed: no spare VM`,
    message: `${facts.failedVmId} failed (${facts.reason}) and no spare could be had: ${facts.why}. Manual intervention may be needed.`,
    vmId: facts.failedVmId,
  });
}

/** `confirm` mode: the alert that offers the switch (the web app shows the button). */
export function offerAlert(facts: AlertFacts & { spareVmId: string | null }): AlertDraft {
  const target = facts.spareVmId ?? 'a spare VM';
  return draft(facts, {
    sourceId: failoverSourceIds.failed(facts.failedVmId),
    level: 'critical',
    title: `${facts.failedVmId} failed: switch to ${target}?`,
    message: `${facts.failedVmId} failed (${facts.reason}). Switch to ${target} to move ${facts.competitionId} there.`,
    vmId: facts.failedVmId,
  });
}

/** `off` mode: the failure, alert only. */
export function failedOnlyAlert(facts: AlertFacts): AlertDraft {
  return draft(facts, {
    sourceId: failoverSourceIds.failed(facts.failedVmId),
    level: 'critical',
    title: `${facts.failedVmId} failed during the show`,
    message: `${facts.failedVmId} failed (${facts.reason}). Failover is off: move the show by hand.`,
    vmId: facts.failedVmId,
  });
}

/** Info: the spare that took over is live (agent online, address answering). */
export function spareLiveAlert(
  facts: AlertFacts & { spareVmId: string; spareAddress: string | null },
): AlertDraft {
  return draft(facts, {
    sourceId: failoverSourceIds.live(facts.spareVmId),
    level: 'info',
    title: `${facts.spareVmId} is live for ${facts.competitionId}`,
    message: `${facts.spareVmId} took over from ${facts.failedVmId}${facts.spareAddress === null ? '' : ` and answers at ${facts.spareAddress}`}.`,
    vmId: facts.spareVmId,
  });
}

/** Warning: the agent is gone but the show server answers (no switch). */
export function degradedAlert(facts: AlertFacts): AlertDraft {
  return {
    ...draft(facts, {
      sourceId: failoverSourceIds.degraded(facts.failedVmId),
      level: 'warning',
      title: `${facts.failedVmId} degraded: agent gone, show server answers`,
      message: `${facts.reason}. The show keeps running on ${facts.failedVmId}; no failover.`,
      vmId: facts.failedVmId,
    }),
    autoResolve: true,
  };
}
