import { maintenanceOffEvent, type MaintenanceRequest } from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { runVmAction, type VmActionContext } from './run-vm-action';

/** maintenance on/off: takes a free VM out of the pool, or returns it. */
export async function setMaintenance(
  deps: UseCaseDeps,
  ctx: VmActionContext,
  options: MaintenanceRequest['options'],
): Promise<string> {
  const vm = await runVmAction(deps, ctx, {
    event: (current) =>
      options.enabled ? 'maintenance_on' : maintenanceOffEvent(current.ec2State),
    reason: options.enabled ? 'maintenance by an admin' : 'maintenance ended by an admin',
  });
  return options.enabled
    ? `${vm.vmId} is in maintenance and will not be assigned`
    : `${vm.vmId} is back in the pool (${vm.status})`;
}
