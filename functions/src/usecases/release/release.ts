import {
  awaitsReleaseMark,
  deadlineFor,
  isAgentStale,
  isReleasingForRequest,
  isStartingForCompetition,
  isStopping,
  vmHeldBy,
  type PoolConfig,
  type ReleaseRequest,
  type VmRecord,
} from '@vmpool/core';
import type { ReleaseProgress } from '../../store/pool-store';
import { advanceRelease } from './advance-release';
import { completeRequest } from '../requests/complete-request';
import type { UseCaseDeps } from '../deps';
import { COLD_ASSIGN_STEPS } from '../assign/hand-over';
import { failedResult, STEP, type RequestProgress } from '../requests/progress';
import { RELEASE_STEPS } from './release-plan';
import { RequestError } from '../requests/request-error';
import { changeStatus, deadlineLimits } from '../shared/vm-changes';

export interface ReleaseContext {
  requestId: string;
  request: ReleaseRequest;
  config: PoolConfig;
  progress: RequestProgress;
}

/**
 * release(competitionId): mark the VM releasing, run the cleanup commands through its agent
 * (or SSM when the agent is offline) and finish when they are done, event-driven with a
 * deadline: see advanceRelease. Returns whether the release already finished.
 */
export async function release(deps: UseCaseDeps, ctx: ReleaseContext): Promise<'done' | 'waiting'> {
  const { store, clock } = deps;
  const { requestId, request, config, progress } = ctx;
  const { competitionId } = request;

  if ((await store.getCompetitionConfig(competitionId)) === null) {
    throw new RequestError('COMPETITION_NOT_FOUND', `Competition ${competitionId} does not exist`);
  }
  progress.plan(RELEASE_STEPS);
  const lock = await store.getLock(competitionId);
  if (lock?.release && lock.release.requestId !== requestId) {
    throw new RequestError(
      'INVALID_STATE',
      `A release of ${competitionId} is already in progress (request ${lock.release.requestId})`,
    );
  }
  if (lock?.release?.requestId === requestId) {
    return (await advanceRelease(deps, competitionId)) ? 'done' : 'waiting';
  }

  const { vms } = await store.listVms();
  const vm = vmHeldBy(vms, competitionId);
  if (vm === undefined) {
    throw new RequestError('NOT_ASSIGNED', `Competition ${competitionId} has no VM to release`);
  }
  if (isStartingForCompetition(vm, competitionId)) {
    await cancelColdAssign(deps, config, vm, competitionId);
    await completeRequest(
      deps,
      requestId,
      progress.result('succeeded', `Cancelled the start of ${vm.vmId}; ${competitionId} is free`, {
        vmId: vm.vmId,
      }),
    );
    return 'done';
  }

  const now = clock.now();
  const limits = deadlineLimits(config, deps.settings);
  const agentOnline = !isAgentStale(vm.agent, config, now);
  const releaseProgress: ReleaseProgress = {
    requestId,
    requestedBy: request.requestedBy,
    vmId: vm.vmId,
    archiveRecordings: request.options.archiveRecordings === true,
    stopVM: request.options.stopVM === true,
    via: agentOnline ? 'agent' : deps.remoteExec !== null ? 'ssm' : 'none',
    commandIds: [],
    invocationId: null,
    startedAt: now,
    // The VM's `releasing` deadline; the release (lock) keeps the same one.
    deadline: deadlineFor('releasing', now, limits),
  };
  const written = await store.updateLock(competitionId, (current) => {
    if (current?.release) return undefined;
    return current === null
      ? { competitionId, requestId, vmId: vm.vmId, at: now, release: releaseProgress }
      : { ...current, vmId: vm.vmId, release: releaseProgress };
  });
  if (written?.release?.requestId !== requestId) {
    throw new RequestError('INVALID_STATE', `A release of ${competitionId} is already in progress`);
  }

  await progress.at(STEP.release, `Releasing ${vm.vmId} from ${competitionId}`, {
    vmId: vm.vmId,
  });
  const marked = await store.updateVm(vm.vmId, (current) =>
    awaitsReleaseMark(current, competitionId)
      ? changeStatus(current, 'release', now, `releasing from ${competitionId}`, {
          requestId,
          deadline: releaseProgress.deadline,
        })
      : null,
  );
  const current = marked.vm;
  if (current === null || !isReleasingForRequest(current, requestId)) {
    await store.updateLock(competitionId, (latest) =>
      latest?.release?.requestId === requestId ? { ...latest, release: null } : undefined,
    );
    throw new RequestError(
      'INVALID_STATE',
      `${vm.vmId} cannot be released now: it is ${current?.status ?? 'gone'}`,
    );
  }
  const cleanup =
    releaseProgress.via === 'agent'
      ? 'Cleaning up through the VM agent'
      : releaseProgress.via === 'ssm'
        ? 'The agent is offline: cleaning up through SSM'
        : 'The agent is offline and no remote exec is configured: cleanup is skipped';
  await progress.at(STEP.cleanup, cleanup, { vmId: vm.vmId });
  return (await advanceRelease(deps, competitionId)) ? 'done' : 'waiting';
}

/**
 * Releasing a VM that is still starting for this competition cancels the cold assign: the VM
 * is stopped and the waiting assign request fails with a clear message.
 */
async function cancelColdAssign(
  deps: UseCaseDeps,
  config: PoolConfig,
  vm: VmRecord,
  competitionId: string,
): Promise<void> {
  const now = deps.clock.now();
  const { vm: stopped } = await deps.store.updateVm(vm.vmId, (current) => {
    if (!isStartingForCompetition(current, competitionId)) return null;
    const free = { ...current, assignedTo: null, assignedAt: null, assignedBy: null };
    return changeStatus(free, 'stop_requested', now, `start for ${competitionId} cancelled`, {
      requestId: null,
      deadline: deadlineFor('stopping', now, deadlineLimits(config, deps.settings)),
      lastReleasedAt: now,
    });
  });
  if (stopped !== null && isStopping(stopped.status)) {
    await deps.compute.stopInstance(vm.region, vm.instanceId).catch((error: unknown) => {
      deps.logger.warn('stop after cancelled start failed; reconcile retries', {
        vmId: vm.vmId,
        error: String(error),
      });
    });
  }
  await deps.store.updateLock(competitionId, (current) =>
    current?.vmId === vm.vmId || current?.vmId === null ? null : undefined,
  );
  if (vm.requestId !== null) {
    await completeRequest(
      deps,
      vm.requestId,
      failedResult(
        COLD_ASSIGN_STEPS,
        STEP.waitAgent,
        new RequestError(
          'INVALID_STATE',
          `Cancelled: ${competitionId} was released while ${vm.vmId} was starting`,
        ),
        now,
      ),
    );
  }
}
