import type { CommandOp } from '../contract/command';
import type { PoolConfig } from '../contract/pool-config';
import {
  NO_RECOVERY,
  type VmErrorCause,
  type VmRecord,
  type VmRecovery,
  type VmRecoveryRelease,
} from '../contract/vm-record';
import { healthVerdict } from './policies/health';
import { COMMAND_CATALOGUE } from './commands';

/**
 * Self-healing: for each way into `error` (VmErrorCause), whether the VM recovers by itself,
 * what "the cause has cleared" means, and what the recovery does. Pure: the control plane
 * (reconcile, agent events, the admin's Recover) asks `decideRecovery` and carries it out.
 */

/** What has to be true before a VM in `error` with this cause may recover. */
export type RecoveryCondition =
  /** EC2 runs the instance and its agent reports, fresh, healthy or degraded. */
  | 'agent_ready'
  /** EC2 runs the instance and its agent reports, fresh, with the health verdict `healthy`. */
  | 'agent_healthy'
  /** EC2 has an instance to act on (anything but terminated or unknown). */
  | 'instance_exists'
  /** EC2 runs the instance and its agent does not report (never did, offline, or stale). */
  | 'agent_silent'
  /** Nothing clears by itself: an admin decides. */
  | 'never';

/** What recovery does once the condition holds. */
export type RecoveryAction =
  /** error → available (or assigned, handed over again to the competition still holding it). */
  | 'recover'
  /** The interrupted release's cleanup again, under new command ids, then the VM returns as the release asked. */
  | 'rerun_release_cleanup'
  /** Asks EC2 to stop again (error → stopping, a new deadline); EC2's `stopped` finishes it. */
  | 'redrive_stop'
  /** Asks EC2 to terminate again (error → terminating); EC2's `terminated` removes the record. */
  | 'redrive_terminate'
  /** Reboots the instance (error → starting, a new start deadline): its agent gets another start. */
  | 'reboot';

export interface RecoveryPolicy {
  /** The cause in words, for the pool page ("the agent stopped reporting"). */
  phrase: string;
  automatic: boolean;
  condition: RecoveryCondition;
  action: RecoveryAction | null;
  /**
   * A second way out, taken when `condition` does not hold but this one does (e.g. a start
   * whose agent never came up is rebooted); absent: recovery waits for `condition`.
   */
  otherwise?: { condition: RecoveryCondition; action: RecoveryAction };
  /** What recovery waits for while the condition does not hold, in words. */
  waitingFor: string;
}

/**
 * Every cause has a policy: a cause added to VM_ERROR_CAUSES without one is a compile error
 * here, never a silent gap. A VM whose EC2 state is `stopped` is not recovered here for any
 * cause: reconcile's EC2 sync takes it in as stopped (`ec2_stopped`) when no competition holds it.
 */
export const RECOVERY_POLICIES = Object.freeze({
  agent_stale: {
    phrase: 'the agent stopped reporting',
    automatic: true,
    condition: 'agent_ready',
    action: 'recover',
    waitingFor: 'the agent to report again',
  },
  health_failed: {
    phrase: 'the health check failed',
    automatic: true,
    condition: 'agent_healthy',
    action: 'recover',
    waitingFor: 'a healthy report from the agent',
  },
  ec2_failed: {
    phrase: 'an EC2 call failed',
    automatic: true,
    condition: 'agent_ready',
    action: 'recover',
    waitingFor: 'EC2 to run the instance and its agent to report ready (or EC2 to stop it)',
  },
  ec2_unexpected_state: {
    phrase: 'EC2 reported an unexpected state',
    automatic: true,
    condition: 'agent_ready',
    action: 'recover',
    waitingFor: 'EC2 to run the instance and its agent to report ready (or EC2 to stop it)',
  },
  instance_missing: {
    phrase: 'the instance is gone from EC2',
    automatic: false,
    condition: 'never',
    action: null,
    waitingFor: 'an admin to terminate or remove it',
  },
  start_timeout: {
    phrase: 'starting did not finish in time',
    automatic: true,
    condition: 'agent_ready',
    action: 'recover',
    // Its agent never came up (or went silent): the instance is rebooted, within the budget,
    // instead of idling out of the pool until an admin notices.
    otherwise: { condition: 'agent_silent', action: 'reboot' },
    waitingFor: 'the agent to report ready',
  },
  stop_timeout: {
    phrase: 'stopping did not finish in time',
    automatic: true,
    condition: 'instance_exists',
    action: 'redrive_stop',
    waitingFor: 'EC2 to describe the instance',
  },
  terminate_timeout: {
    phrase: 'terminating did not finish in time',
    automatic: true,
    condition: 'instance_exists',
    action: 'redrive_terminate',
    waitingFor: 'EC2 to describe the instance',
  },
  release_incomplete: {
    phrase: 'the release cleanup did not finish',
    automatic: true,
    condition: 'agent_ready',
    action: 'rerun_release_cleanup',
    waitingFor: 'the agent to report again, to run the cleanup',
  },
  failed_over: {
    // Its show already moved to a spare (issue 12) and it was rebooted once: it rejoins the
    // pool only once it is healthy again.
    phrase: 'its show was moved to a spare after it failed',
    automatic: true,
    condition: 'agent_healthy',
    action: 'recover',
    waitingFor: 'a healthy report from the agent after the reboot',
  },
} as const satisfies Record<VmErrorCause, RecoveryPolicy>);

export function recoveryPolicy(cause: VmErrorCause): RecoveryPolicy {
  return RECOVERY_POLICIES[cause];
}

/** A failed VM whose cause was not recorded (a record older than `errorCause`). */
const UNKNOWN_CAUSE: RecoveryPolicy = Object.freeze({
  phrase: 'an unrecorded cause',
  automatic: false,
  condition: 'never',
  action: null,
  waitingFor: 'an admin',
});

export type RecoveryDecision =
  /** Not in `error`: nothing to recover. */
  | { kind: 'none' }
  /** The cause never clears by itself. */
  | { kind: 'manual'; policy: RecoveryPolicy }
  /** Automatic, but the cause has not cleared yet. */
  | { kind: 'wait'; policy: RecoveryPolicy; waitingFor: string }
  /** A recovery is running (its cleanup commands); it moves on when they finish. */
  | { kind: 'running'; policy: RecoveryPolicy; id: string }
  /** The attempts ran out (or the pool turned recovery off): an admin must act. */
  | { kind: 'gave_up'; policy: RecoveryPolicy; attempts: number; firstGiveUp: boolean }
  /** Recover now. */
  | { kind: 'act'; policy: RecoveryPolicy; action: RecoveryAction };

export type RecoveryLimits = Pick<PoolConfig, 'recoveryMaxAttempts' | 'recoveryWindowMinutes'>;

/** The attempts that still count: those that began inside the window ending at `now`. */
export function attemptsInWindow(
  attempts: readonly number[],
  limits: RecoveryLimits,
  now: number,
): number[] {
  const since = now - limits.recoveryWindowMinutes * 60_000;
  return attempts.filter((at) => at > since && at <= now);
}

/** Whether the condition of a policy holds for the VM now. */
export function conditionHolds(
  condition: RecoveryCondition,
  vm: Pick<VmRecord, 'ec2State' | 'agent'>,
  config: PoolConfig,
  now: number,
): boolean {
  switch (condition) {
    case 'never':
      return false;
    case 'instance_exists':
      return vm.ec2State !== 'terminated' && vm.ec2State !== 'unknown' && vm.ec2State !== 'stopped';
    case 'agent_silent':
      return vm.ec2State === 'running' && healthVerdict(vm.agent, config, now).agentStale;
    case 'agent_ready':
    case 'agent_healthy': {
      if (vm.ec2State !== 'running') return false;
      const verdict = healthVerdict(vm.agent, config, now);
      if (verdict.agentStale) return false;
      return condition === 'agent_healthy'
        ? verdict.status === 'healthy'
        : verdict.status === 'healthy' || verdict.status === 'degraded';
    }
  }
}

/** What the pool around the VM says: whether most agents fell silent together (issue 11). */
export interface RecoveryContext {
  /** `agentSilenceIsShared` over the pool: an outage outside the VMs (database, control plane). */
  sharedOutage: boolean;
}

export const NO_SHARED_OUTAGE: RecoveryContext = Object.freeze({ sharedOutage: false });

/**
 * What to do about a VM now. Bounded: each `act` is an attempt the caller records with
 * `startRecoveryAttempt`; once `recoveryMaxAttempts` attempts began inside the window and the VM
 * is in `error` again, the decision is `gave_up` for good (until an admin's Recover or any other
 * way out of `error`), so a VM that keeps failing does not flap. A policy's `otherwise` acts
 * when its condition does not hold; one that acts on a silent agent waits while most agents are
 * silent together (`context.sharedOutage`): rebooting would not bring back the database.
 */
export function decideRecovery(
  vm: Pick<VmRecord, 'status' | 'errorCause' | 'ec2State' | 'agent' | 'assignedTo' | 'recovery'>,
  config: PoolConfig,
  now: number,
  context: RecoveryContext = NO_SHARED_OUTAGE,
): RecoveryDecision {
  if (vm.status !== 'error') return { kind: 'none' };
  const policy: RecoveryPolicy =
    vm.errorCause === null ? UNKNOWN_CAUSE : RECOVERY_POLICIES[vm.errorCause];
  if (!policy.automatic || policy.action === null) return { kind: 'manual', policy };
  if (vm.recovery.running !== null) {
    return { kind: 'running', policy, id: vm.recovery.running.id };
  }
  const counted = attemptsInWindow(vm.recovery.attempts, config, now).length;
  if (vm.recovery.gaveUpAt !== null) {
    return { kind: 'gave_up', policy, attempts: counted, firstGiveUp: false };
  }
  if (vm.ec2State === 'stopped') {
    return { kind: 'wait', policy, waitingFor: 'reconcile to take in the stopped instance' };
  }
  let action: RecoveryAction = policy.action;
  if (!conditionHolds(policy.condition, vm, config, now)) {
    const otherwise = policy.otherwise;
    if (otherwise === undefined || !conditionHolds(otherwise.condition, vm, config, now)) {
      return { kind: 'wait', policy, waitingFor: policy.waitingFor };
    }
    if (otherwise.condition === 'agent_silent' && context.sharedOutage) {
      return { kind: 'wait', policy, waitingFor: SHARED_OUTAGE_WAIT };
    }
    action = otherwise.action;
  }
  // A competition still holding a stopped, stopping or terminating VM is failover's business.
  if (vm.assignedTo !== null && action !== 'recover') {
    return { kind: 'manual', policy };
  }
  if (counted >= config.recoveryMaxAttempts) {
    return { kind: 'gave_up', policy, attempts: counted, firstGiveUp: true };
  }
  return { kind: 'act', policy, action };
}

/** What a silent agent's recovery waits for during a shared outage, in words. */
export const SHARED_OUTAGE_WAIT =
  'the agents to report again (most fell silent together: an outage outside the VMs)';

/**
 * Whether the decision may change with the pool's silence (`RecoveryContext`): only acting on a
 * silent agent does. The caller then reads the pool and decides again with `agentSilenceIsShared`.
 */
export function dependsOnSharedOutage(decision: RecoveryDecision): boolean {
  return decision.kind === 'act' && decision.action === 'reboot';
}

/** The recovery record after an attempt begins: counted, older attempts out of the window dropped. */
export function startRecoveryAttempt(
  recovery: VmRecovery,
  limits: RecoveryLimits,
  now: number,
  running: VmRecovery['running'] = null,
): VmRecovery {
  return {
    ...recovery,
    attempts: [...attemptsInWindow(recovery.attempts, limits, now), now],
    running,
    nextAttemptAt: null,
  };
}

/** The recovery record once the attempts ran out: nothing is tried any more. */
export function giveUpRecovery(recovery: VmRecovery, now: number): VmRecovery {
  return { ...recovery, gaveUpAt: now, running: null, nextAttemptAt: null };
}

/**
 * "When is it next tried": for a decision, when the control plane looks at the VM's recovery
 * again. A deferred recovery (the cause has not cleared, or an attempt did not last) is tried
 * at the next check, `checkEveryMs` from now (reconcile's period; an agent report may come
 * sooner); nothing is scheduled while a recovery runs, after giving up, or for a cause that
 * never clears.
 */
export function nextRecoveryAttemptAt(
  decision: RecoveryDecision,
  now: number,
  checkEveryMs: number,
): number | null {
  switch (decision.kind) {
    case 'wait':
    case 'act':
      return now + checkEveryMs;
    case 'none':
    case 'manual':
    case 'running':
    case 'gave_up':
      return null;
  }
}

/** The recovery record with its next try, or null when it already says so (no write needed). */
export function scheduleRecovery(
  recovery: VmRecovery,
  nextAttemptAt: number | null,
): VmRecovery | null {
  return recovery.nextAttemptAt === nextAttemptAt ? null : { ...recovery, nextAttemptAt };
}

/** What an admin's Recover does to the bookkeeping: the count starts again. */
export function rearmRecovery(recovery: VmRecovery): VmRecovery {
  return { ...recovery, attempts: [], gaveUpAt: null };
}

/**
 * How long a VM's agent must keep reporting after an automatic recovery began for that recovery
 * to count as having worked. Only recoveries that did not last are counted against
 * `recoveryMaxAttempts`: a VM that recovered, served with a live agent, and then met a new,
 * unrelated fault (a restart of everything, a database blip) starts with a fresh budget, while
 * a VM that falls back into `error` without having served (flapping) still runs out of attempts.
 */
export const RECOVERY_LASTED_MS = 2 * 60_000;

/**
 * The recovery record after a status change: the attempts that did not last stay (they bound
 * flapping across failures), everything about the current failure goes when the VM leaves
 * `error`. Entering `error` when the agent last reported `RECOVERY_LASTED_MS` or more after the
 * latest recovery began forgets the attempts: that recovery worked.
 */
export function recoveryAfterStatusChange(
  recovery: VmRecovery,
  change: { fromError: boolean; toError: boolean; agentLastSeen: number | null },
): VmRecovery {
  if (!change.toError) return { ...NO_RECOVERY, attempts: recovery.attempts };
  const latest = recovery.attempts.at(-1);
  const lasted =
    !change.fromError &&
    latest !== undefined &&
    change.agentLastSeen !== null &&
    change.agentLastSeen - latest >= RECOVERY_LASTED_MS;
  return {
    ...recovery,
    attempts: lasted ? [] : recovery.attempts,
    running: null,
    nextAttemptAt: null,
  };
}

/** The recovery record of a VM failing in a shared outage: the attempt it cut short is not counted. */
export function forgiveInterruptedAttempt(recovery: VmRecovery): VmRecovery {
  return recovery.attempts.length === 0
    ? recovery
    : { ...recovery, attempts: recovery.attempts.slice(0, -1) };
}

/**
 * The cleanup a recovered release re-runs: the same order as a release (archive first when it
 * was asked, and nothing cleared unless archived). Without a recorded release only the OBS
 * configuration is reset: recordings whose archiving is unknown are never deleted.
 */
export function recoveryCleanupOps(release: VmRecoveryRelease | null): CommandOp[] {
  if (release === null) return ['reset_obs_config'];
  return [
    ...(release.archiveRecordings ? (['archive_recordings'] as const) : []),
    'reset_obs_config',
    'clear_recordings',
  ];
}

/** Command ids of a recovery's cleanup: new for every attempt, repeatable within one. */
export function recoveryCommandId(recoveryId: string, op: CommandOp): string {
  return `${recoveryId}-${op}`;
}

/** A recovery's id, from its start: unique per attempt among the VM's commands. */
export function recoveryId(startedAt: number): string {
  return `recover-${startedAt.toString(36)}`;
}

/** For people: an `error` VM's cause, whether it recovers by itself and what it waits for. */
export interface RecoveryOutlook {
  phrase: string;
  automatic: boolean;
  /** What happens next, in words. */
  next: string;
  needsAdmin: boolean;
  attempts: number;
  maxAttempts: number;
  /** When the control plane next tries it by itself (ms epoch; the record's `nextAttemptAt`), or null. */
  nextAttemptAt: number | null;
}

export function recoveryOutlook(
  vm: Pick<VmRecord, 'status' | 'errorCause' | 'ec2State' | 'agent' | 'assignedTo' | 'recovery'>,
  config: PoolConfig,
  now: number,
): RecoveryOutlook | null {
  const decision = decideRecovery(vm, config, now);
  if (decision.kind === 'none') return null;
  const attempts = attemptsInWindow(vm.recovery.attempts, config, now).length;
  const base = {
    phrase: decision.policy.phrase,
    automatic: decision.policy.automatic && config.recoveryMaxAttempts > 0,
    attempts,
    maxAttempts: config.recoveryMaxAttempts,
    nextAttemptAt:
      decision.kind === 'wait' || decision.kind === 'act' ? vm.recovery.nextAttemptAt : null,
  };
  switch (decision.kind) {
    case 'manual':
      return {
        ...base,
        automatic: false,
        next: `needs ${decision.policy.waitingFor}`,
        needsAdmin: true,
      };
    case 'gave_up':
      return {
        ...base,
        next: `${attempts} recoveries within ${config.recoveryWindowMinutes} min did not last: needs an admin`,
        needsAdmin: true,
      };
    case 'running':
      return { ...base, next: 'recovering now', needsAdmin: false };
    case 'wait':
      return { ...base, next: `waiting for ${decision.waitingFor}`, needsAdmin: false };
    case 'act':
      return {
        ...base,
        next:
          decision.action === 'reboot'
            ? 'reboots at the next reconcile'
            : 'recovers at the next reconcile',
        needsAdmin: false,
      };
  }
}

/** Which ops may run again under a new command id (see COMMAND_CATALOGUE's `idempotent`). */
export function isIdempotentOp(op: CommandOp): boolean {
  return COMMAND_CATALOGUE[op].idempotent;
}
