import {
  agentSilenceIsShared,
  deadlineFor,
  deadlineRetryLeft,
  deadlineRule,
  forgiveInterruptedAttempt,
  isAwaitingAgent,
  isReleasing,
  type DeadlineRetry,
  type DeadlineRule,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import type { ComputePort } from '@vmpool/core/ports';
import type { AssignmentLock } from '../../store/pool-store';
import { completeRequest } from '../requests/complete-request';
import type { UseCaseDeps } from '../deps';
import { COLD_ASSIGN_STEPS } from '../assign/hand-over';
import { isPendingInstanceId } from '../shared/launch-pool-vm';
import { failedResult, STEP } from '../requests/progress';
import { RequestError } from '../requests/request-error';
import { deadlineLimits, failVm } from '../shared/vm-changes';

/** Shown in `statusReason` after a retry, for people; the retry count is `deadlineRetries`. */
const RETRY_NOTE = ' (retried)';

const FREE = { assignedTo: null, assignedAt: null, assignedBy: null, requestId: null } as const;

/**
 * Transitional states past their deadline (core's DEADLINE_RULES): starting, stopping and
 * terminating are retried once (the EC2 call again, a new deadline, `deadlineRetries` counts
 * it), then the VM goes to error with the rule's cause; a waiting cold assign fails with
 * TIMEOUT and frees its competition. Releases enforce their own deadline.
 */
export async function enforceDeadlines(
  deps: UseCaseDeps,
  config: PoolConfig,
  vms: VmRecord[],
  locks: AssignmentLock[],
): Promise<number> {
  const now = deps.clock.now();
  let handled = 0;
  const releasing = new Set(locks.filter((lock) => lock.release).map((lock) => lock.release?.vmId));
  // A start that an outage most agents shared cut short (its agent could not report) is not
  // counted against the VM's recoveries (core's agentSilenceIsShared).
  const sharedOutage = agentSilenceIsShared(vms, config, now);
  for (const vm of vms) {
    // Only transitional statuses have a deadline rule.
    const rule = deadlineRule(vm.status);
    if (rule === null || vm.deadline === null || now <= vm.deadline) continue;
    if (isReleasing(vm.status) && releasing.has(vm.vmId)) continue;
    handled += 1;
    const retry = retryCall(deps, vm, rule);
    if (deadlineRetryLeft(vm) && retry !== null) {
      const deadline = deadlineFor(vm.status, now, deadlineLimits(config, deps.settings));
      const { committed } = await deps.store.updateVm(vm.vmId, (current) =>
        current.status === vm.status && current.deadline === vm.deadline
          ? {
              ...current,
              deadline,
              deadlineRetries: current.deadlineRetries + 1,
              statusReason: `${current.statusReason}${RETRY_NOTE}`,
            }
          : null,
      );
      if (committed) {
        await retry().catch((error: unknown) =>
          deps.logger.warn('retry after deadline failed', { vmId: vm.vmId, error: String(error) }),
        );
      }
      continue;
    }
    await expire(deps, vm, rule, now, sharedOutage);
  }
  return handled;
}

const RETRY_CALLS: Readonly<
  Record<DeadlineRetry, (compute: ComputePort, vm: VmRecord) => Promise<void>>
> = {
  start: (compute, vm) => compute.startInstance(vm.region, vm.instanceId),
  stop: (compute, vm) => compute.stopInstance(vm.region, vm.instanceId),
  terminate: (compute, vm) => compute.terminateInstance(vm.region, vm.instanceId),
};

/** The EC2 call that is repeated once for a VM past its deadline (see DEADLINE_RULES). */
function retryCall(
  deps: UseCaseDeps,
  vm: VmRecord,
  rule: DeadlineRule,
): (() => Promise<void>) | null {
  const retry = rule.retry;
  if (retry === null || isPendingInstanceId(vm.instanceId)) return null;
  return () => RETRY_CALLS[retry](deps.compute, vm);
}

async function expire(
  deps: UseCaseDeps,
  vm: VmRecord,
  rule: DeadlineRule,
  now: number,
  sharedOutage: boolean,
): Promise<void> {
  const reason = `${vm.status} did not finish before its deadline`;
  // Only the run whose change landed frees the competition: a VM that was handed over (or
  // launched, or changed in any way) since reconcile's read keeps its links and its request.
  let expired: boolean;
  if (isPendingInstanceId(vm.instanceId)) {
    // The launch never produced an instance: the slot is freed instead of kept as error.
    expired = await deps.store.deleteVm(vm.vmId, (current) =>
      isPendingInstanceId(current.instanceId),
    );
  } else {
    const changed = await deps.store.updateVm(vm.vmId, (current) => {
      if (current.status !== vm.status || current.deadline !== vm.deadline) return null;
      const failed = failVm(current, 'deadline_passed', now, rule.timeoutCause, reason, {
        ...FREE,
        deadline: null,
      });
      return failed !== null && sharedOutage && isAwaitingAgent(current.status)
        ? { ...failed, recovery: forgiveInterruptedAttempt(failed.recovery) }
        : failed;
    });
    expired = changed.committed || changed.vm === null;
  }
  if (!expired) return;
  deps.logger.warn('transitional state expired', { vmId: vm.vmId, status: vm.status });
  const competitionId = vm.assignedTo;
  if (competitionId === null) return;
  await deps.store.clearCompetitionVm(competitionId, vm.vmId);
  await deps.store.updateLock(competitionId, (current) =>
    current?.vmId === vm.vmId ? null : undefined,
  );
  if (isAwaitingAgent(vm.status) && vm.requestId !== null) {
    await completeRequest(
      deps,
      vm.requestId,
      failedResult(
        COLD_ASSIGN_STEPS,
        STEP.waitAgent,
        new RequestError(
          'TIMEOUT',
          `${vm.vmId} did not become ready in time; ${competitionId} is free to assign again`,
        ),
        now,
      ),
    );
  }
}
