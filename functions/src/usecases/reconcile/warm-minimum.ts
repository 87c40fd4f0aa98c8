import {
  deadlineFor,
  isAwaitingAgent,
  warmPoolStatus,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { launchPoolVm } from '../shared/launch-pool-vm';
import { changeStatus, deadlineLimits, failVm } from '../shared/vm-changes';

/**
 * Keeps `minWarmVMs` free VMs running or starting: starts stopped ones first, then launches
 * new ones while the pool may grow (core's warmPoolStatus decides how many of each).
 */
export async function keepWarmMinimum(
  deps: UseCaseDeps,
  config: PoolConfig,
  vms: VmRecord[],
): Promise<{ started: number; launched: number }> {
  const now = deps.clock.now();
  // Issue 11: VMs whose agent merely has not reported yet count as capacity on its way.
  const status = warmPoolStatus(vms, config, now);
  const limits = deadlineLimits(config, deps.settings);
  let started = 0;
  for (const vm of status.toStart) {
    const { committed, vm: starting } = await deps.store.updateVm(vm.vmId, (current) =>
      changeStatus(current, 'start_requested', now, 'started to keep the warm minimum', {
        lastStartedAt: now,
        deadline: deadlineFor('starting', now, limits),
      }),
    );
    if (!committed || starting === null) continue;
    started += 1;
    await deps.compute.startInstance(vm.region, vm.instanceId).catch(async (error: unknown) => {
      await deps.store.updateVm(vm.vmId, (current) =>
        isAwaitingAgent(current.status)
          ? failVm(
              current,
              'fail',
              deps.clock.now(),
              'ec2_failed',
              `warm-up start failed: ${String(error)}`,
              { deadline: null },
            )
          : null,
      );
    });
  }
  let launched = 0;
  for (let i = 0; i < status.toLaunch; i += 1) {
    try {
      await launchPoolVm(deps, {
        config,
        requestId: `warm-${now}-${i}`,
        region: config.awsRegion,
        instanceType: config.instanceType,
      });
      launched += 1;
    } catch (error) {
      deps.logger.warn('warm-pool launch failed', { error: String(error) });
      break;
    }
  }
  return { started, launched };
}
