import type { UseCaseDeps } from '../deps';
import { runVmAction, type VmActionContext } from './run-vm-action';

/** stop: a free VM (available, starting, error, maintenance) is stopped. */
export async function stopVm(deps: UseCaseDeps, ctx: VmActionContext): Promise<string> {
  const vm = await runVmAction(deps, ctx, {
    event: () => 'stop_requested',
    reason: 'stopped by an admin',
    call: (current) => deps.compute.stopInstance(current.region, current.instanceId),
  });
  return `${vm.vmId} is stopping`;
}
