import {
  isAwaitingAgent,
  isFailed,
  isStopping,
  isTerminating,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import { isPendingInstanceId } from '../shared/launch-pool-vm';
import type { UseCaseDeps } from '../deps';
import { recoverVm } from '../recovery/recover-vm';

/**
 * Every VM in `error` gets one recovery step (core's recovery policy decides what): a cause
 * that has cleared recovers within one reconcile, whatever event was missed.
 */
export async function recoverFailedVms(
  deps: UseCaseDeps,
  config: PoolConfig,
): Promise<{ recovered: number; needsAdmin: number }> {
  let recovered = 0;
  let needsAdmin = 0;
  for (const vm of (await deps.store.listVms()).vms) {
    if (!isFailed(vm.status)) continue;
    try {
      const outcome = await recoverVm(deps, vm.vmId, config);
      if (outcome === 'recovered' || outcome === 'running') recovered += 1;
      if (outcome === 'gave_up' || outcome === 'manual') needsAdmin += 1;
    } catch (error) {
      deps.logger.warn('recovery step failed; the next reconcile tries again', {
        vmId: vm.vmId,
        error: String(error),
      });
    }
  }
  return { recovered, needsAdmin };
}

/**
 * A start, stop or terminate whose EC2 call was refused (throttling, capacity, a crash before
 * the call) leaves EC2 stopped while the status says starting, or running while it says
 * stopping or terminating: the call is made again at every reconcile (EC2 calls are
 * idempotent) instead of waiting for the deadline. Pass the VMs as EC2's sync left them.
 */
export async function redriveEc2Calls(deps: UseCaseDeps, vms: VmRecord[]): Promise<number> {
  let redriven = 0;
  for (const vm of vms) {
    if (isPendingInstanceId(vm.instanceId)) continue;
    const start = isAwaitingAgent(vm.status) && vm.ec2State === 'stopped';
    const stop = isStopping(vm.status) && (vm.ec2State === 'running' || vm.ec2State === 'pending');
    const terminate =
      isTerminating(vm.status) &&
      vm.ec2State !== 'terminated' &&
      vm.ec2State !== 'shutting-down' &&
      vm.ec2State !== 'unknown';
    if (!start && !stop && !terminate) continue;
    try {
      if (start) await deps.compute.startInstance(vm.region, vm.instanceId);
      else if (stop) await deps.compute.stopInstance(vm.region, vm.instanceId);
      else await deps.compute.terminateInstance(vm.region, vm.instanceId);
      redriven += 1;
    } catch (error) {
      deps.logger.warn('EC2 call re-driven by reconcile failed; the next one tries again', {
        vmId: vm.vmId,
        error: String(error),
      });
    }
  }
  return redriven;
}
