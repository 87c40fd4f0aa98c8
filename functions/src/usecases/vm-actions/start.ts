import type { UseCaseDeps } from '../deps';
import { runVmAction, type VmActionContext } from './run-vm-action';

/** start: a stopped VM starts and becomes available when its agent reports ready. */
export async function startVm(deps: UseCaseDeps, ctx: VmActionContext): Promise<string> {
  const vm = await runVmAction(deps, ctx, {
    event: () => 'start_requested',
    reason: 'started by an admin',
    patch: (_vm, now) => ({ lastStartedAt: now }),
    call: (current) => deps.compute.startInstance(current.region, current.instanceId),
  });
  return `${vm.vmId} is starting; it becomes available when its agent reports ready`;
}
