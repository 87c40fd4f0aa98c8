import {
  awaitsReleaseMark,
  buildCommandArgv,
  deadlineFor,
  isReleasingForRequest,
  isStopping,
  PRODUCTION_COMMAND_ENV,
  type CommandOp,
} from '@vmpool/core';
import type { AssignmentLock, ReleaseProgress } from '../../store/pool-store';
import { completeRequest } from '../requests/complete-request';
import type { UseCaseDeps } from '../deps';
import { succeededResult } from '../requests/progress';
import { RELEASE_STEPS, releaseCommandArgs, releaseCommandOps } from './release-plan';
import { agentCleanupState, type CleanupState } from '../shared/cleanup-commands';
import { readConfigOrDefaults } from '../shared/pool-config';
import { changeStatus, deadlineLimits, failVm } from '../shared/vm-changes';

/**
 * Moves a competition's release on: queues the next cleanup command, or checks SSM, or
 * finishes. Called by release itself, by the command status trigger and by reconcile (which
 * also enforces the deadline), so it is safe to call any number of times. True when finished.
 */
export async function advanceRelease(deps: UseCaseDeps, competitionId: string): Promise<boolean> {
  const lock = await deps.store.getLock(competitionId);
  const progress = lock?.release;
  if (!lock || !progress) return false;
  let vm = await deps.store.getVm(progress.vmId);
  if (vm !== null && awaitsReleaseMark(vm, competitionId)) {
    // The release was recorded but the VM never marked (a crash in between): mark it now.
    const now = deps.clock.now();
    const marked = await deps.store.updateVm(vm.vmId, (current) =>
      awaitsReleaseMark(current, competitionId)
        ? changeStatus(current, 'release', now, `releasing from ${competitionId}`, {
            requestId: progress.requestId,
            deadline: progress.deadline,
          })
        : null,
    );
    vm = marked.vm;
  }
  const stillReleasing = vm !== null && isReleasingForRequest(vm, progress.requestId);
  if (!stillReleasing) {
    // The VM already left `releasing` (a crash after that step): finish the remaining steps.
    await finishRelease(deps, lock, progress, { kind: 'done', ok: true, note: '' });
    return true;
  }
  const state = await cleanupState(deps, progress, competitionId);
  if (state.kind === 'waiting') {
    if (deps.clock.now() <= progress.deadline) return false;
    await finishRelease(deps, lock, progress, {
      kind: 'done',
      ok: false,
      note: 'cleanup did not finish before the release deadline',
    });
    return true;
  }
  await finishRelease(deps, lock, progress, state);
  return true;
}

async function cleanupState(
  deps: UseCaseDeps,
  progress: ReleaseProgress,
  competitionId: string,
): Promise<CleanupState> {
  const ops = releaseCommandOps(progress);
  if (progress.via === 'none') {
    return { kind: 'done', ok: false, note: 'the agent is offline and no SSM fallback exists' };
  }
  if (progress.via === 'ssm') return ssmCleanupState(deps, progress, competitionId, ops);
  return agentCleanupState(deps, progress.vmId, progress.requestId, ops, (op) =>
    releaseCommandArgs(op, competitionId),
  );
}

async function ssmCleanupState(
  deps: UseCaseDeps,
  progress: ReleaseProgress,
  competitionId: string,
  ops: CommandOp[],
): Promise<CleanupState> {
  const remoteExec = deps.remoteExec;
  const vm = await deps.store.getVm(progress.vmId);
  if (remoteExec === null || vm === null) {
    return { kind: 'done', ok: false, note: 'no SSM fallback available' };
  }
  if (progress.invocationId === null) {
    // The VM's own agent knows its bucket; through SSM the control plane's setting is used.
    const ssmEnv = {
      ...PRODUCTION_COMMAND_ENV,
      archive: { ...PRODUCTION_COMMAND_ENV.archive, bucket: deps.settings.archiveBucket },
    };
    const steps: string[][] = [];
    for (const op of ops) {
      const argv = buildCommandArgv(op, releaseCommandArgs(op, competitionId), ssmEnv);
      if (!argv.ok) return { kind: 'done', ok: false, note: `${op}: ${argv.errors.join('; ')}` };
      steps.push(...argv.value);
    }
    const timeoutSeconds = Math.max(30, Math.floor((progress.deadline - deps.clock.now()) / 1000));
    const { invocationId } = await remoteExec.send(vm.region, vm.instanceId, steps, {
      timeoutSeconds,
      comment: `vmpool release ${progress.requestId}`,
    });
    await deps.store.updateLock(competitionId, (current) =>
      current?.release?.requestId === progress.requestId
        ? { ...current, release: { ...current.release, invocationId } }
        : undefined,
    );
    return { kind: 'waiting' };
  }
  const result = await remoteExec.result(vm.region, vm.instanceId, progress.invocationId);
  if (result === null || result.state === 'pending' || result.state === 'running') {
    return { kind: 'waiting' };
  }
  return result.state === 'succeeded'
    ? { kind: 'done', ok: true, note: '' }
    : {
        kind: 'done',
        ok: false,
        note: `SSM cleanup ${result.state}: ${result.stderr.slice(0, 300)}`,
      };
}

/**
 * The last steps, each guarded so a repeat is harmless: VM back to the pool (or stopping, or
 * error when cleanup failed), competition unlinked, request completed, slot freed.
 */
async function finishRelease(
  deps: UseCaseDeps,
  lock: AssignmentLock,
  progress: ReleaseProgress,
  state: Extract<CleanupState, { kind: 'done' }>,
): Promise<void> {
  const { store, clock } = deps;
  const limits = deadlineLimits(await readConfigOrDefaults(deps), deps.settings);
  const now = clock.now();
  const competitionId = lock.competitionId;
  const free = { assignedTo: null, assignedAt: null, assignedBy: null, requestId: null };
  const { committed, vm } = await store.updateVm(progress.vmId, (current) => {
    if (!isReleasingForRequest(current, progress.requestId)) return null;
    if (!state.ok) {
      const failed = failVm(
        current,
        'fail',
        now,
        'release_incomplete',
        `release cleanup failed: ${state.note}`,
        { ...free, deadline: null, lastReleasedAt: now },
      );
      // What the release asked for, so that recovery re-runs its cleanup and returns the VM so.
      const asked = {
        competitionId,
        archiveRecordings: progress.archiveRecordings,
        stopVM: progress.stopVM,
      };
      return failed === null
        ? null
        : { ...failed, recovery: { ...failed.recovery, release: asked } };
    }
    return progress.stopVM
      ? changeStatus(current, 'release_stop', now, `released from ${competitionId}, stopping`, {
          ...free,
          deadline: deadlineFor('stopping', now, limits),
          lastReleasedAt: now,
        })
      : changeStatus(current, 'release_done', now, `released from ${competitionId}`, {
          ...free,
          deadline: null,
          lastReleasedAt: now,
        });
  });
  if (committed && vm !== null && isStopping(vm.status)) {
    await deps.compute.stopInstance(vm.region, vm.instanceId).catch((error: unknown) => {
      deps.logger.warn('stop after release failed; reconcile retries it', {
        vmId: vm.vmId,
        error: String(error),
      });
    });
  }
  await store.clearCompetitionVm(competitionId, progress.vmId);
  const outcome = state.ok
    ? progress.stopVM
      ? `${progress.vmId} released from ${competitionId} and stopping`
      : `${progress.vmId} released from ${competitionId} and back in the pool`
    : `${competitionId} is released; ${progress.vmId} needs attention: ${state.note}`;
  await completeRequest(
    deps,
    progress.requestId,
    succeededResult(RELEASE_STEPS, outcome, now, { vmId: progress.vmId }),
  );
  // Last: while the lock holds the release, reconcile can still finish any step above.
  await store.updateLock(competitionId, (current) =>
    current?.release?.requestId === progress.requestId ? null : undefined,
  );
}
