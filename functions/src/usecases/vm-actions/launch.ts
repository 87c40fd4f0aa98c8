import type { LaunchRequest, PoolConfig } from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { launchPoolVm } from '../shared/launch-pool-vm';
import { STEP, type RequestProgress } from '../requests/progress';

export const LAUNCH_STEPS = [STEP.check, STEP.launch] as const;

/** launch: RunInstances from the pool config (AMI, subnet, security group, tags, VmId tag). */
export async function launchVm(
  deps: UseCaseDeps,
  ctx: { requestId: string; request: LaunchRequest; config: PoolConfig; progress: RequestProgress },
): Promise<{ vmId: string; message: string }> {
  ctx.progress.plan(LAUNCH_STEPS);
  await ctx.progress.at(STEP.launch, 'Launching a new instance');
  const region = ctx.request.options.region ?? ctx.config.awsRegion;
  const vm = await launchPoolVm(deps, {
    config: ctx.config,
    requestId: ctx.requestId,
    region,
    instanceType: ctx.request.options.instanceType ?? ctx.config.instanceType,
  });
  return {
    vmId: vm.vmId,
    message: `${vm.vmId} (${vm.instanceId}) launched in ${region}; it becomes available when its agent reports ready`,
  };
}
