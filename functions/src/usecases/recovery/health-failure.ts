import { healthFailure, type PoolConfig, type VmRecord } from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { failVm } from '../shared/vm-changes';

/**
 * Issue 11, `health_failed`: applies core's healthFailure to one VM in a guarded transaction
 * (decided again on the latest record): keeps `unhealthySince`, and fails a free VM that stayed
 * unhealthy past the grace so it is not handed out; recovery brings it back once healthy.
 * Called on the agent's report and by reconcile. True when the VM was failed.
 */
export async function judgeVmHealth(
  deps: UseCaseDeps,
  vmId: string,
  config: PoolConfig,
  now: number,
): Promise<boolean> {
  let failedNow = false;
  await deps.store.updateVm(vmId, (latest: VmRecord) => {
    failedNow = false;
    const judged = healthFailure(latest, config, now);
    if (judged.fail) {
      const failed = failVm(
        latest,
        'fail',
        now,
        'health_failed',
        `unhealthy for over ${config.agentStaleSeconds}s: ${judged.reasons.join('; ')}`,
        { healthStatus: 'unhealthy', lastHealthCheck: now, unhealthySince: null },
      );
      failedNow = failed !== null;
      return failed;
    }
    return latest.unhealthySince === judged.unhealthySince
      ? null
      : { ...latest, unhealthySince: judged.unhealthySince };
  });
  if (failedNow)
    deps.logger.warn('VM failed its health check; out of the pool until healthy', { vmId });
  return failedNow;
}

/** Reconcile's pass: every VM's health judged (a report that changed nothing is not an event). */
export async function judgePoolHealth(
  deps: UseCaseDeps,
  config: PoolConfig,
  vms: VmRecord[],
): Promise<number> {
  const now = deps.clock.now();
  let failed = 0;
  for (const vm of vms) {
    const judged = healthFailure(vm, config, now);
    if (!judged.fail && judged.unhealthySince === vm.unhealthySince) continue;
    if (await judgeVmHealth(deps, vm.vmId, config, now)) failed += 1;
  }
  return failed;
}
