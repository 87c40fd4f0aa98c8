import {
  deadlineFor,
  idleStopCandidates,
  idleStoppedAlert,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { raiseAlert } from '../shared/alerts';
import { changeStatus, deadlineLimits } from '../shared/vm-changes';

/** Stops VMs idle for `autoStopAfterHours` (never below the warm minimum) and says so. */
export async function stopIdleVms(
  deps: UseCaseDeps,
  config: PoolConfig,
  vms: VmRecord[],
): Promise<number> {
  const now = deps.clock.now();
  let stopped = 0;
  for (const vm of idleStopCandidates(vms, config, now)) {
    const { committed } = await deps.store.updateVm(vm.vmId, (current) =>
      changeStatus(current, 'stop_requested', now, `idle for ${config.autoStopAfterHours} h`, {
        deadline: deadlineFor('stopping', now, deadlineLimits(config, deps.settings)),
      }),
    );
    if (!committed) continue;
    stopped += 1;
    await deps.compute.stopInstance(vm.region, vm.instanceId).catch((error: unknown) =>
      deps.logger.warn('idle stop failed; the deadline retries it', {
        vmId: vm.vmId,
        error: String(error),
      }),
    );
    await raiseAlert(deps, idleStoppedAlert(vm, now, config.autoStopAfterHours));
  }
  return stopped;
}
