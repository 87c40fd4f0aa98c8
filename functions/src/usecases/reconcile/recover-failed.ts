import { isFailed, type PoolConfig } from '@vmpool/core';
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
