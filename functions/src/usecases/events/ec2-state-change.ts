import type { ComputeInstance } from '@vmpool/core/ports';
import type { Ec2StateChange } from '../../ec2-events/state-change-event';
import type { UseCaseDeps } from '../deps';
import { syncWithCompute } from '../reconcile/sync';
import { watchVmNow } from '../failover/watch';

export type Ec2StateChangeOutcome =
  | { outcome: 'ignored'; reason: string }
  | {
      outcome: 'synced';
      vmId: string;
      /** The VM after the sync (null when its record was removed: a terminated instance). */
      status: string | null;
      ec2State: string | null;
      /** Records of the region that changed (this VM and any other the describe corrected). */
      changed: number;
    };

/**
 * An EC2 state change for a pool VM, delivered by EventBridge within seconds: the VM's region
 * is described once and synced by the same code reconcile runs (syncWithCompute), so state,
 * addresses (and the competition's vmAddress) and the status EC2 implies land now instead of
 * at the next reconcile. The event is only the prompt: the describe is the truth, so events
 * that arrive late, twice or out of order change nothing that the describe does not confirm.
 * Instances that are not pool VMs are ignored (EventBridge cannot filter on tags).
 */
export async function applyEc2StateChange(
  deps: UseCaseDeps,
  change: Ec2StateChange,
): Promise<Ec2StateChangeOutcome> {
  const { vms } = await deps.store.listVms();
  const vm = vms.find((candidate) => candidate.instanceId === change.instanceId);
  if (vm === undefined) {
    return { outcome: 'ignored', reason: `instance ${change.instanceId} is not a pool VM` };
  }
  if (vm.region !== change.region) {
    return {
      outcome: 'ignored',
      reason: `${vm.vmId} is in ${vm.region}, the event came from ${change.region}`,
    };
  }
  const config = await deps.store.readConfig();
  if (!config.ok) {
    throw new Error(`vmPool/config is invalid: ${config.errors.join('; ')}`);
  }
  const described = new Map<string, ComputeInstance[]>([
    [vm.region, await deps.compute.describePoolInstances(vm.region, config.value.tags)],
  ]);
  const counts = await syncWithCompute(deps, config.value, vms, described);
  const after = await deps.store.getVm(vm.vmId);
  // Failover (issue 12): a show VM that EC2 reports stopping, stopped or going has failed; its
  // failure clock starts now (and its re-check is scheduled), not at the next reconcile.
  if (after !== null) {
    try {
      await watchVmNow(deps, config.value, after);
    } catch (error) {
      deps.logger.error('failover: judging a VM after its EC2 state change failed', {
        vmId: vm.vmId,
        error: String(error),
      });
    }
  }
  deps.logger.info('EC2 state change applied', {
    vmId: vm.vmId,
    instanceId: change.instanceId,
    eventState: change.state,
    eventId: change.eventId,
    status: after?.status ?? null,
    ...counts,
  });
  return {
    outcome: 'synced',
    vmId: vm.vmId,
    status: after?.status ?? null,
    ec2State: after?.ec2State ?? null,
    changed: counts.synced + counts.adopted + counts.removed,
  };
}
