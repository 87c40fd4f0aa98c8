import type { VmRecord } from '@vmpool/core';
import { completeRequest } from '../requests/complete-request';
import type { UseCaseDeps } from '../deps';
import { STEP, succeededResult } from '../requests/progress';
import { vmAddressOf } from '../shared/vm-changes';

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
 * Gives an assigned VM to its competition: writes `competitions/{id}/config/vmId` and
 * `vmAddress` and completes the assign request that drove it. Idempotent.
 */
export async function handOver(
  deps: Pick<UseCaseDeps, 'store' | 'clock' | 'logger' | 'settings'>,
  vm: VmRecord,
  steps: readonly string[],
): Promise<void> {
  const competitionId = vm.assignedTo;
  if (competitionId === null) return;
  const vmAddress = vmAddressOf(vm, deps.settings);
  await deps.store.setCompetitionVm(competitionId, vm.vmId, vmAddress);
  if (vm.requestId !== null) {
    const message =
      vmAddress === null
        ? `${vm.vmId} is assigned to ${competitionId}; its address follows as soon as EC2 reports one`
        : `${vm.vmId} is ready for ${competitionId} at ${vmAddress}`;
    await completeRequest(
      deps,
      vm.requestId,
      succeededResult(steps, message, deps.clock.now(), {
        vmId: vm.vmId,
        ...(vmAddress === null ? {} : { vmAddress }),
      }),
    );
  }
}
