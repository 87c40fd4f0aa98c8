import {
  deadlineFor,
  estimatedReadyAt,
  isAwaitingAgent,
  isCold,
  isHandedOver,
  isStartingForCompetition,
  isStartingForRequest,
  isWarm,
  afterLostClaim,
  rankVmsForAssignment,
  type AssignRequest,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import type { AllocationView, AllocationWatch, AssignmentLock } from '../../store/pool-store';
import type { UseCaseDeps } from '../deps';
import {
  claimLinks,
  COLD_ASSIGN_STEPS,
  handOver,
  LAUNCH_ASSIGN_STEPS,
  WARM_ASSIGN_STEPS,
} from './hand-over';
import type { RequestFields } from '../requests/complete-request';
import { launchPoolVm } from '../shared/launch-pool-vm';
import { STEP, type RequestProgress } from '../requests/progress';
import { RequestError } from '../requests/request-error';
import { changeStatus, deadlineLimits, failVm } from '../shared/vm-changes';

export interface AssignContext {
  requestId: string;
  request: AssignRequest;
  config: PoolConfig;
  progress: RequestProgress;
}

/** Outcome of an assign run: done now, or waiting for the VM's agent (event-driven). */
export type AssignOutcome = { kind: 'assigned'; vm: VmRecord } | { kind: 'waiting'; vm: VmRecord };

/**
 * assign(competitionId): take the competition's single slot (assignment lock), then a warm VM,
 * else a stopped one (started; handed over when its agent reports ready), else a new instance.
 * Every step is keyed by the request id, so a repeated or resumed run continues, never doubles.
 */
export async function assign(deps: UseCaseDeps, ctx: AssignContext): Promise<AssignOutcome> {
  const { requestId, request } = ctx;
  const { competitionId } = request;
  const { store, clock } = deps;

  // Issue 17: the competition is read while the slot is taken; a missing one gives it back.
  let rerun = false;
  const [competition, lock] = await Promise.all([
    store.getCompetitionConfig(competitionId),
    store.updateLock(competitionId, (current) => {
      // A lock this request took before: an earlier run of it (crashed, or delivered again).
      rerun = current?.requestId === requestId;
      return current === null
        ? { competitionId, requestId, vmId: null, at: clock.now(), release: null }
        : undefined;
    }),
  ]);
  if (competition === null) {
    if (lock?.requestId === requestId && lock.vmId === null) await giveBackSlot(deps, ctx);
    throw new RequestError('COMPETITION_NOT_FOUND', `Competition ${competitionId} does not exist`);
  }
  if (lock === null || lock.requestId !== requestId) {
    const holder = lock?.vmId ? ` (${lock.vmId})` : '';
    throw new RequestError(
      'ALREADY_ASSIGNED',
      `Competition ${competitionId} already has a VM${holder} or an assignment in progress`,
    );
  }

  const resumed = await resume(deps, ctx, lock);
  if (resumed !== null) return resumed;

  try {
    return await claimAndStart(deps, ctx, rerun);
  } catch (error) {
    // Nothing was claimed: give the competition's slot back so a later assign can run.
    await giveBackSlot(deps, ctx);
    throw error;
  }
}

/** Deletes the competition's lock while this request holds it with no VM. */
async function giveBackSlot(deps: UseCaseDeps, ctx: AssignContext): Promise<void> {
  await deps.store.updateLock(ctx.request.competitionId, (current) =>
    current?.requestId === ctx.requestId && current.vmId === null ? null : undefined,
  );
}

/** The request's fields completing it needs (it is not read again). */
function requestFields(ctx: AssignContext): RequestFields {
  const { requestedBy, action, competitionId } = ctx.request;
  return { requestedBy, action, competitionId };
}

/** A repeated run of a request that already claimed a VM picks up where it stopped. */
async function resume(
  deps: UseCaseDeps,
  ctx: AssignContext,
  lock: AssignmentLock,
): Promise<AssignOutcome | null> {
  if (lock.vmId === null) return null;
  const vm = await deps.store.getVm(lock.vmId);
  if (vm === null || vm.assignedTo !== ctx.request.competitionId) {
    await deps.store.updateLock(ctx.request.competitionId, (current) =>
      current?.requestId === ctx.requestId ? { ...current, vmId: null } : undefined,
    );
    return null;
  }
  if (isStartingForCompetition(vm, ctx.request.competitionId)) {
    await reportWaiting(deps, ctx, vm, COLD_ASSIGN_STEPS);
    return { kind: 'waiting', vm };
  }
  if (
    !isHandedOver(vm.status) &&
    vm.requestId === ctx.requestId &&
    (await deps.store.getCompetitionConfig(ctx.request.competitionId))?.vmId !== vm.vmId
  ) {
    // The VM failed before it was ever handed over (its start was refused, the instance went
    // away): the competition never pointed at it and must not now. It is let go (recovery
    // takes it from there) and the assign fails with a code, the competition free again.
    await abandonFailedStart(deps, ctx, vm);
  }
  await handOver(deps, vm, WARM_ASSIGN_STEPS);
  return { kind: 'assigned', vm };
}

/** Lets go of a VM that failed while starting for this request, and fails the request. */
async function abandonFailedStart(
  deps: UseCaseDeps,
  ctx: AssignContext,
  vm: VmRecord,
): Promise<never> {
  const { competitionId } = ctx.request;
  await deps.store.updateVm(vm.vmId, (current) =>
    current.assignedTo === competitionId &&
    current.requestId === ctx.requestId &&
    !isHandedOver(current.status) &&
    !isAwaitingAgent(current.status)
      ? { ...current, assignedTo: null, assignedAt: null, assignedBy: null, requestId: null }
      : null,
  );
  await deps.store.clearCompetitionVm(competitionId, vm.vmId);
  await deps.store.updateLock(competitionId, (current) =>
    current?.requestId === ctx.requestId && current.vmId === vm.vmId ? null : undefined,
  );
  throw new RequestError(
    'EC2_ERROR',
    `${vm.vmId} failed while starting for ${competitionId} (${vm.statusReason}); ${competitionId} is free to assign again`,
  );
}

async function claimAndStart(
  deps: UseCaseDeps,
  ctx: AssignContext,
  rerun: boolean,
): Promise<AssignOutcome> {
  // An earlier run of this request may have claimed a VM and died before the lock (and the
  // index) said so: on a re-run the records tell (rare, so the whole read is affordable).
  if (rerun) {
    const own = (await deps.store.listVms({ pulse: false })).vms.find((vm) => ownedBy(vm, ctx));
    if (own !== undefined) {
      const resumed = await adopt(deps, ctx, own.vmId);
      if (resumed !== null) return resumed;
    }
  }
  // The allocator judges status, assignment, health and placement only: it reads the small
  // allocation index, not every record with its agent report (a lost claim corrects it). The
  // index stays live while this assign claims (issue 17), shared with concurrent assigns.
  const watch = await deps.store.watchAllocationViews();
  try {
    return await claimFrom(deps, ctx, watch);
  } finally {
    watch.close();
  }
}

async function claimFrom(
  deps: UseCaseDeps,
  ctx: AssignContext,
  watch: AllocationWatch,
): Promise<AssignOutcome> {
  const { store, clock } = deps;
  const { requestId, request, config, progress } = ctx;
  const { competitionId } = request;
  let vms: AllocationView[] = watch.views();
  const own = vms.find((vm) => ownedBy(vm, ctx));
  if (own !== undefined) {
    const resumed = await adopt(deps, ctx, own.vmId);
    if (resumed !== null) return resumed;
  }

  // Candidates in this request's own order (its id spreads concurrent assigns over equally
  // good VMs). A lost claim shows the VM as it is now: the view is corrected with it, and with
  // what the live index has received meanwhile (concurrent assigns' claims), and ranked again
  // (limits re-checked) without reading the pool again. Every loss removes a candidate; when
  // the view has nothing left the records are read, in case a VM came free (or the index
  // lagged), so that a refusal always comes from the records themselves.
  let rereads = 0;
  const seen = new Map<string, AllocationView | null>();
  for (let attempt = 0; attempt <= vms.length + 1; attempt += 1) {
    const ranking = rankVmsForAssignment(
      vms,
      { competitionId, ...request.options, spreadKey: requestId },
      config,
    );
    if (ranking.kind !== 'claim') {
      // A refusal from the index alone is not trusted (it may lag, e.g. a VM written before
      // the index existed): the records decide.
      if (rereads === 0) {
        rereads += 1;
        vms = (await store.listVms({ pulse: false })).vms;
        seen.clear();
        continue;
      }
      if (ranking.kind === 'none') throw new RequestError(ranking.code, ranking.reason);
      return launchForAssign(deps, ctx);
    }
    const [pick] = ranking.candidates;
    if (pick === undefined) break;

    const now = clock.now();
    const cold = pick.kind === 'cold';
    const event = cold ? 'cold_assign' : 'assign';
    const { committed, vm } = await store.updateVm(
      pick.vm.vmId,
      (current) =>
        current.assignedTo === null && (isWarm(current.status) || isCold(current.status))
          ? changeStatus(
              current,
              event,
              now,
              cold ? `starting for ${competitionId}` : `assigned to ${competitionId}`,
              {
                assignedTo: competitionId,
                assignedAt: now,
                assignedBy: request.requestedBy,
                requestId,
                totalAssignments: current.totalAssignments + 1,
                deadline: cold
                  ? deadlineFor('starting', now, deadlineLimits(config, deps.settings))
                  : null,
                ...(cold ? { lastStartedAt: now } : {}),
              },
            )
          : null,
      // Issue 17: the lock's VM and a warm VM's hand-over go with the claim, in one write.
      { pulse: false, links: (claimed) => claimLinks(deps, claimed, requestId, !cold) },
    );
    if (!committed || vm === null) {
      if (vm !== null && ownedBy(vm, ctx)) {
        // This request's own claim (an earlier run's, which the index did not show yet).
        const resumed = await adopt(deps, ctx, vm.vmId);
        if (resumed !== null) return resumed;
      }
      // What the claims saw beats the index, which may not have caught up with them yet.
      seen.set(pick.vm.vmId, vm);
      vms = rereads === 0 ? withSeen(watch.views(), seen) : afterLostClaim(vms, pick.vm.vmId, vm);
      continue;
    }
    if (!cold) {
      await handOver(deps, vm, WARM_ASSIGN_STEPS, { linked: true, request: requestFields(ctx) });
      return { kind: 'assigned', vm };
    }
    progress.plan(COLD_ASSIGN_STEPS);
    await progress.at(STEP.start, `Starting ${vm.vmId} for ${competitionId}`, { vmId: vm.vmId });
    await startClaimedVm(deps, vm);
    await reportWaiting(deps, ctx, vm, COLD_ASSIGN_STEPS);
    return { kind: 'waiting', vm };
  }
  throw new RequestError(
    'NO_VM_AVAILABLE',
    'No VM available: every free VM was taken by other requests meanwhile',
  );
}

/** A VM this assign request claimed (in this run or an earlier one). */
function ownedBy(vm: Pick<VmRecord, 'requestId' | 'assignedTo'>, ctx: AssignContext): boolean {
  return vm.requestId === ctx.requestId && vm.assignedTo === ctx.request.competitionId;
}

/**
 * An earlier run of this request claimed `vmId` but stopped before recording it in the lock:
 * the lock records it now, and the run resumes from there.
 */
async function adopt(
  deps: UseCaseDeps,
  ctx: AssignContext,
  vmId: string,
): Promise<AssignOutcome | null> {
  const lock = await deps.store.updateLock(ctx.request.competitionId, (current) =>
    current?.requestId === ctx.requestId ? { ...current, vmId } : undefined,
  );
  return lock === null ? null : resume(deps, ctx, lock);
}

/** The live index with every VM this assign lost a claim on as its claim saw it. */
function withSeen(
  views: AllocationView[],
  seen: ReadonlyMap<string, AllocationView | null>,
): AllocationView[] {
  let vms = views;
  for (const [vmId, current] of seen) vms = afterLostClaim(vms, vmId, current);
  return vms;
}

/** StartInstances for a claimed stopped VM; on failure the VM is marked error (not stuck). */
async function startClaimedVm(deps: UseCaseDeps, vm: VmRecord): Promise<void> {
  try {
    await deps.compute.startInstance(vm.region, vm.instanceId);
  } catch (error) {
    const reason = `start failed: ${error instanceof Error ? error.message : String(error)}`;
    const now = deps.clock.now();
    await deps.store.updateVm(vm.vmId, (current) =>
      isStartingForRequest(current, vm.requestId)
        ? failVm(current, 'fail', now, 'ec2_failed', reason, {
            assignedTo: null,
            assignedAt: null,
            assignedBy: null,
            requestId: null,
            deadline: null,
          })
        : null,
    );
    if (vm.assignedTo !== null) {
      const competitionId = vm.assignedTo;
      await deps.store.updateLock(competitionId, (current) =>
        current?.vmId === vm.vmId ? null : undefined,
      );
    }
    throw error;
  }
}

async function launchForAssign(deps: UseCaseDeps, ctx: AssignContext): Promise<AssignOutcome> {
  const { request, config, progress, requestId } = ctx;
  progress.plan(LAUNCH_ASSIGN_STEPS);
  await progress.at(STEP.launch, `No free VM: launching a new one for ${request.competitionId}`);
  const vm = await launchPoolVm(deps, {
    config,
    requestId,
    region: config.awsRegion,
    instanceType: config.instanceType,
    assignTo: { competitionId: request.competitionId, requestedBy: request.requestedBy },
  }).catch((error: unknown) => {
    // Concurrent launches filled the last slots: for an assign that means no VM is available.
    if (error instanceof RequestError && error.code === 'CAPACITY_LIMIT') {
      throw new RequestError('NO_VM_AVAILABLE', `No VM available: ${lowerFirst(error.message)}`);
    }
    throw error;
  });
  await deps.store.updateLock(request.competitionId, (current) =>
    current?.requestId === requestId ? { ...current, vmId: vm.vmId } : undefined,
  );
  await reportWaiting(deps, ctx, vm, LAUNCH_ASSIGN_STEPS);
  return { kind: 'waiting', vm };
}

async function reportWaiting(
  deps: UseCaseDeps,
  ctx: AssignContext,
  vm: VmRecord,
  steps: readonly string[],
): Promise<void> {
  const startedAt = vm.lastStartedAt ?? deps.clock.now();
  ctx.progress.plan(steps);
  await ctx.progress.at(
    STEP.waitAgent,
    `${vm.vmId} is starting; it is handed to ${ctx.request.competitionId} as soon as its agent reports ready`,
    { vmId: vm.vmId, estimatedReadyAt: estimatedReadyAt(startedAt, ctx.config) },
  );
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
