import type { UseCaseDeps } from '../deps';
import { runVmAction, type VmActionContext } from './run-vm-action';
import { revokeAgentSessions } from '../shared/agent-sessions';
import { clearStreamState } from '../shared/stream-health';

/** terminate: the instance is terminated; reconcile removes the record once EC2 confirms. */
export async function terminateVm(deps: UseCaseDeps, ctx: VmActionContext): Promise<string> {
  const vm = await runVmAction(deps, ctx, {
    event: () => 'terminate_requested',
    reason: 'terminated by an admin',
    call: (current) => deps.compute.terminateInstance(current.region, current.instanceId),
  });
  await revokeAgentSessions(deps, vm);
  await clearStreamState(deps, vm.vmId);
  return `${vm.vmId} is terminating; it leaves the pool when EC2 confirms`;
}
