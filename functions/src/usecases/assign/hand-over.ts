import type { VmRecord } from '@vmpool/core';
import type { VmChangeLinks } from '../../store/pool-store';
import { completeRequest, type RequestFields } from '../requests/complete-request';
import type { UseCaseDeps } from '../deps';
import { STEP, succeededResult } from '../requests/progress';
import { vmAddressOf } from '../shared/vm-changes';
import { restoreBeforeHandOver, restoresState, withRestoreStep } from '../failover/restore-state';

export const WARM_ASSIGN_STEPS = [STEP.check, STEP.claim, STEP.handOver] as const;
export const COLD_ASSIGN_STEPS = [
  STEP.check,
  STEP.claim,
  STEP.start,
  STEP.waitAgent,
  STEP.handOver,
] as const;
export const LAUNCH_ASSIGN_STEPS = [
  STEP.check,
  STEP.claim,
  STEP.launch,
  STEP.waitAgent,
  STEP.handOver,
] as const;

/**
 * Issue 17: what a warm claim writes together with the claimed record (`updateVm`'s links):
 * the lock's VM and, unless the VM first restores a failover's show state, the hand-over's
 * competition link, so that `handOver` then only completes the request.
 */
export function claimLinks(
  deps: Pick<UseCaseDeps, 'settings'>,
  vm: VmRecord,
  requestId: string,
  handOverNow: boolean,
): VmChangeLinks {
  const competitionId = vm.assignedTo;
  if (competitionId === null) return {};
  return {
    lock: { competitionId, requestId, vmId: vm.vmId },
    ...(handOverNow && !restoresState(vm)
      ? {
          competition: {
            competitionId,
            vmId: vm.vmId,
            vmAddress: vmAddressOf(vm, deps.settings),
          },
        }
      : {}),
  };
}

/**
 * Gives an assigned VM to its competition: writes `competitions/{id}/config/vmId` and
 * `vmAddress` and completes the assign request that drove it. Idempotent. A failover's spare
 * first imports the competition's saved show state (bounded wait; failover/restore-state.ts).
 * `linked`: the claim wrote the competition's link already (claimLinks); `request`: the assign
 * request's fields, when the caller has them (it is not read again).
 */
export async function handOver(
  deps: Pick<UseCaseDeps, 'store' | 'clock' | 'logger' | 'settings' | 'sleep'>,
  vm: VmRecord,
  steps: readonly string[],
  options: { linked?: boolean; request?: RequestFields } = {},
): Promise<void> {
  const competitionId = vm.assignedTo;
  if (competitionId === null) return;
  let restored = '';
  if (restoresState(vm)) {
    restored = await restoreBeforeHandOver(deps, vm, competitionId, steps);
    steps = withRestoreStep(steps);
  }
  const vmAddress = vmAddressOf(vm, deps.settings);
  const linked = options.linked === true && !restoresState(vm);
  if (!linked) await deps.store.setCompetitionVm(competitionId, vm.vmId, vmAddress);
  if (vm.requestId !== null) {
    const message =
      vmAddress === null
        ? `${vm.vmId} is assigned to ${competitionId}; its address follows as soon as EC2 reports one`
        : `${vm.vmId} is ready for ${competitionId} at ${vmAddress}`;
    const said = restored === '' ? message : `${message}. ${restored}`;
    await completeRequest(
      deps,
      vm.requestId,
      succeededResult(steps, said, deps.clock.now(), {
        vmId: vm.vmId,
        ...(vmAddress === null ? {} : { vmAddress }),
      }),
      options.request,
    );
  }
}
