import {
  agentSilenceIsShared,
  deadlineFor,
  decideRecovery,
  dependsOnSharedOutage,
  giveUpRecovery,
  healthVerdict,
  isAssignedOffAir,
  isAwaitingAgent,
  isStopping,
  isTerminating,
  NO_RECOVERY,
  NO_SHARED_OUTAGE,
  nextRecoveryAttemptAt,
  recoverEvent,
  recoveryCleanupOps,
  recoveryId,
  scheduleRecovery,
  startRecoveryAttempt,
  type PoolConfig,
  type RecoveryContext,
  type RecoveryDecision,
  type VmRecord,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { COLD_ASSIGN_STEPS, handOver } from '../assign/hand-over';
import { withEc2Addresses } from '../events/agent-report';
import { agentCleanupState } from '../shared/cleanup-commands';
import { changeStatus, deadlineLimits } from '../shared/vm-changes';

/** What one recovery step did (for reconcile's report, the admin's answer and the logs). */
export type RecoveryOutcome =
  /** Not in error, or the VM is gone. */
  | 'none'
  /** The cause never clears by itself. */
  | 'manual'
  /** The cause has not cleared yet. */
  | 'waiting'
  /** Out of error: back in the pool, handed over, or on its way to stopped/terminated. */
  | 'recovered'
  /** A cleanup re-run began or is still running. */
  | 'running'
  /** The cleanup re-run failed or ran out of time: the VM stays in error, the attempt counted. */
  | 'attempt_failed'
  /** The attempts ran out: the VM stays in error and an admin is alerted. */
  | 'gave_up'
  /** Someone else changed the VM meanwhile; the next call looks again. */
  | 'raced';

/** The decision still holds for the record about to be replaced (guards every write). */
function sameDecision(
  latest: VmRecord,
  decided: RecoveryDecision,
  config: PoolConfig,
  now: number,
  context: RecoveryContext,
) {
  const again = decideRecovery(latest, config, now, context);
  if (again.kind !== decided.kind) return false;
  if (again.kind === 'act' && decided.kind === 'act') return again.action === decided.action;
  return true;
}

/**
 * One step of a failed VM's automatic recovery, as core's `decideRecovery` says: recover it
 * when its cause has cleared, re-run an interrupted release's cleanup (new command ids) and
 * then return the VM as the release asked, re-drive a stop or terminate from EC2's state, or
 * give up after the pool's attempts. Every write is a guarded transaction that decides again
 * on the latest record, so concurrent callers (reconcile, agent events, command events, an
 * admin) and repeats after a crash are harmless. Called by all of them.
 */
export async function recoverVm(
  deps: UseCaseDeps,
  vmId: string,
  config: PoolConfig,
): Promise<RecoveryOutcome> {
  const vm = await deps.store.getVm(vmId);
  if (vm === null) return 'none';
  const now = deps.clock.now();
  let context = NO_SHARED_OUTAGE;
  let decision = decideRecovery(vm, config, now);
  if (dependsOnSharedOutage(decision)) {
    // Only a reboot of a silent agent's VM depends on the others: the pool is read just then.
    context = { sharedOutage: agentSilenceIsShared((await deps.store.listVms()).vms, config, now) };
    decision = decideRecovery(vm, config, now, context);
  }
  switch (decision.kind) {
    case 'none':
      return 'none';
    case 'manual':
      return 'manual';
    case 'wait':
      await deferRecovery(deps, vmId, config, now, context);
      return 'waiting';
    case 'running':
      return advanceCleanup(deps, vm, config);
    case 'gave_up': {
      if (!decision.firstGiveUp) return 'gave_up';
      const { committed } = await deps.store.updateVm(vmId, (latest) =>
        sameDecision(latest, decision, config, now, context)
          ? { ...latest, recovery: giveUpRecovery(latest.recovery, now) }
          : null,
      );
      if (committed) {
        deps.logger.error('automatic recovery gave up; the VM needs an admin', {
          vmId,
          cause: vm.errorCause,
          attempts: decision.attempts,
        });
      }
      return committed ? 'gave_up' : 'raced';
    }
    case 'act':
      break;
  }
  const attempt = (latest: VmRecord, running: VmRecord['recovery']['running'] = null) =>
    startRecoveryAttempt(latest.recovery, config, now, running);
  const phrase = decision.policy.phrase;
  const limits = deadlineLimits(config, deps.settings);
  switch (decision.action) {
    case 'recover': {
      const verdict = healthVerdict(vm.agent, config, now);
      const { committed, vm: updated } = await deps.store.updateVm(vmId, (latest) => {
        if (!sameDecision(latest, decision, config, now, context)) return null;
        const recovered = changeStatus(
          latest,
          recoverEvent(latest),
          now,
          `recovered (${phrase}; cleared)`,
          {
            healthStatus: verdict.status,
            lastHealthCheck: now,
            deadline: null,
          },
        );
        return recovered === null
          ? null
          : { ...recovered, recovery: { ...NO_RECOVERY, attempts: attempt(latest).attempts } };
      });
      if (!committed || updated === null) return 'raced';
      deps.logger.info('VM recovered', { vmId, cause: vm.errorCause, status: updated.status });
      if (isAssignedOffAir(updated.status)) {
        // Still held by its competition: hand it over again at the address EC2 gives it now.
        await handOver(deps, await withEc2Addresses(deps, updated, config), COLD_ASSIGN_STEPS);
      }
      return 'recovered';
    }
    case 'redrive_stop':
    case 'redrive_terminate': {
      const stop = decision.action === 'redrive_stop';
      const event = stop ? 'stop_requested' : 'terminate_requested';
      const status = stop ? 'stopping' : 'terminating';
      const { committed, vm: updated } = await deps.store.updateVm(vmId, (latest) => {
        if (!sameDecision(latest, decision, config, now, context)) return null;
        const changed = changeStatus(latest, event, now, `recovery: asking EC2 again (${phrase})`, {
          deadline: deadlineFor(status, now, limits),
        });
        return changed === null
          ? null
          : { ...changed, recovery: { ...NO_RECOVERY, attempts: attempt(latest).attempts } };
      });
      if (!committed || updated === null) return 'raced';
      if (isStopping(updated.status) || isTerminating(updated.status)) {
        const call = stop
          ? deps.compute.stopInstance(vm.region, vm.instanceId)
          : deps.compute.terminateInstance(vm.region, vm.instanceId);
        // A refused call leaves the status to its deadline (retried, then error again, counted).
        await call.catch((error: unknown) =>
          deps.logger.warn('recovery: EC2 call failed; the deadline decides', {
            vmId,
            error: String(error),
          }),
        );
      }
      return 'recovered';
    }
    case 'reboot': {
      // Its agent never came up: the instance starts again and gets a new start deadline.
      const { committed, vm: updated } = await deps.store.updateVm(vmId, (latest) => {
        if (!sameDecision(latest, decision, config, now, context)) return null;
        const changed = changeStatus(
          latest,
          'reboot_requested',
          now,
          `recovery: rebooting (${phrase}; the agent did not report)`,
          { deadline: deadlineFor('starting', now, limits), lastStartedAt: now },
        );
        return changed === null
          ? null
          : { ...changed, recovery: { ...NO_RECOVERY, attempts: attempt(latest).attempts } };
      });
      if (!committed || updated === null) return 'raced';
      if (isAwaitingAgent(updated.status)) {
        // A refused reboot leaves the start to its deadline (retried, then error again, counted).
        await deps.compute.rebootInstance(vm.region, vm.instanceId).catch((error: unknown) =>
          deps.logger.warn('recovery: the reboot was refused; the start deadline decides', {
            vmId,
            error: String(error),
          }),
        );
      }
      deps.logger.info('recovery: rebooting a VM whose agent did not report', { vmId });
      return 'recovered';
    }
    case 'rerun_release_cleanup': {
      const running = { id: recoveryId(now), startedAt: now };
      const { committed, vm: updated } = await deps.store.updateVm(vmId, (latest) =>
        sameDecision(latest, decision, config, now, context)
          ? {
              ...latest,
              statusReason: `${phrase}: re-running the release cleanup (${running.id})`,
              recovery: attempt(latest, running),
            }
          : null,
      );
      if (!committed || updated === null) return 'raced';
      deps.logger.info('recovery: re-running the release cleanup', {
        vmId,
        recoveryId: running.id,
      });
      return advanceCleanup(deps, updated, config);
    }
  }
}

/**
 * Records when the recovery is next tried (`recovery.nextAttemptAt`, core's
 * nextRecoveryAttemptAt): written only when it changes, decided again on the latest record.
 */
async function deferRecovery(
  deps: UseCaseDeps,
  vmId: string,
  config: PoolConfig,
  now: number,
  context: RecoveryContext,
): Promise<void> {
  await deps.store.updateVm(vmId, (latest) => {
    const next = nextRecoveryAttemptAt(
      decideRecovery(latest, config, now, context),
      now,
      deps.settings.reconcileIntervalMs,
    );
    const recovery = scheduleRecovery(latest.recovery, next);
    return recovery === null ? null : { ...latest, recovery };
  });
}

/**
 * Moves a running cleanup re-run on; when it is done the VM returns as the release asked
 * (available, or stopping), when it failed or ran past the release timeout the VM stays in
 * error with the attempt counted.
 */
async function advanceCleanup(
  deps: UseCaseDeps,
  vm: VmRecord,
  config: PoolConfig,
): Promise<RecoveryOutcome> {
  const running = vm.recovery.running;
  if (running === null) return 'none';
  const release = vm.recovery.release;
  const ops = recoveryCleanupOps(release);
  const state = await agentCleanupState(deps, vm.vmId, running.id, ops, (op) =>
    op === 'archive_recordings' && release !== null ? { competitionId: release.competitionId } : {},
  );
  const now = deps.clock.now();
  const sameRun = (latest: VmRecord) =>
    latest.status === 'error' && latest.recovery.running?.id === running.id;
  if (state.kind === 'waiting') {
    if (now <= running.startedAt + deps.settings.releaseTimeoutMs) return 'running';
    const { committed } = await deps.store.updateVm(vm.vmId, (latest) =>
      sameRun(latest)
        ? {
            ...latest,
            statusReason: 'release cleanup failed again: the re-run did not finish in time',
            recovery: {
              ...latest.recovery,
              running: null,
              nextAttemptAt: now + deps.settings.reconcileIntervalMs,
            },
          }
        : null,
    );
    return committed ? 'attempt_failed' : 'raced';
  }
  if (!state.ok) {
    const { committed } = await deps.store.updateVm(vm.vmId, (latest) =>
      sameRun(latest)
        ? {
            ...latest,
            statusReason: `release cleanup failed again: ${state.note}`,
            recovery: {
              ...latest.recovery,
              running: null,
              nextAttemptAt: now + deps.settings.reconcileIntervalMs,
            },
          }
        : null,
    );
    return committed ? 'attempt_failed' : 'raced';
  }
  const stopVM = release?.stopVM === true;
  const limits = deadlineLimits(config, deps.settings);
  const { committed, vm: updated } = await deps.store.updateVm(vm.vmId, (latest) => {
    if (!sameRun(latest)) return null;
    const changed = stopVM
      ? changeStatus(
          latest,
          'stop_requested',
          now,
          'recovered: cleanup done, stopping as the release asked',
          {
            deadline: deadlineFor('stopping', now, limits),
          },
        )
      : changeStatus(
          latest,
          recoverEvent(latest),
          now,
          'recovered: cleanup done, back in the pool',
          {
            deadline: null,
          },
        );
    return changed === null
      ? null
      : { ...changed, recovery: { ...NO_RECOVERY, attempts: latest.recovery.attempts } };
  });
  if (!committed || updated === null) return 'raced';
  if (isStopping(updated.status)) {
    await deps.compute.stopInstance(vm.region, vm.instanceId).catch((error: unknown) =>
      deps.logger.warn('recovery: stop after cleanup failed; reconcile retries it', {
        vmId: vm.vmId,
        error: String(error),
      }),
    );
  }
  deps.logger.info('VM recovered after its release cleanup', {
    vmId: vm.vmId,
    status: updated.status,
  });
  return 'recovered';
}
