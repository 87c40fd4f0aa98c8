import type { UseCaseDeps } from '../deps';
import { runVmAction, type VmActionContext } from './run-vm-action';

/** reboot: the VM restarts and waits for its agent again (an assignment is kept). */
export async function rebootVm(deps: UseCaseDeps, ctx: VmActionContext): Promise<string> {
  const vm = await runVmAction(deps, ctx, {
    event: () => 'reboot_requested',
    reason: 'rebooted by an admin',
    patch: (_vm, now) => ({ lastStartedAt: now }),
    call: (current) => deps.compute.rebootInstance(current.region, current.instanceId),
  });
  return `${vm.vmId} is rebooting; it is back when its agent reports ready`;
}
