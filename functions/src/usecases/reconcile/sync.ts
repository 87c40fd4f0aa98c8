import {
  adoptedStatus,
  deadlineFor,
  holdsAssignment,
  isAwaitingAgent,
  isFailed,
  isStopping,
  isTerminating,
  isValidVmId,
  makeVmId,
  transitionVm,
  type PoolConfig,
  type VmEvent,
  type VmRecord,
} from '@vmpool/core';
import type { ComputeInstance } from '@vmpool/core/ports';
import { revokeAgentSessions } from '../shared/agent-sessions';
import type { UseCaseDeps } from '../deps';
import { isPendingInstanceId } from '../shared/launch-pool-vm';
import {
  changeStatus,
  deadlineLimits,
  failVm,
  newVmRecord,
  vmAddressOf,
} from '../shared/vm-changes';
import { clearStreamState } from '../shared/stream-health';

export interface SyncCounts {
  adopted: number;
  synced: number;
  removed: number;
}

type Ec2Event = Extract<VmEvent, 'fail' | 'ec2_stopped' | 'ec2_running'>;

/**
 * The event EC2's state implies for a VM, if the state machine allows one. A `fail` here
 * means EC2 contradicts the status (cause `ec2_unexpected_state`).
 */
function ec2Event(vm: VmRecord, instance: ComputeInstance): Ec2Event | null {
  const candidates: Ec2Event[] = [];
  if (instance.state === 'stopped') {
    // A start whose instance is still stopped (the call was refused, or the host died before
    // it) is asked again by reconcile (redriveEc2Calls) until its deadline: no event here.
    if (isAwaitingAgent(vm.status)) return null;
    candidates.push(holdsAssignment(vm) ? 'fail' : 'ec2_stopped');
  } else if (instance.state === 'running' || instance.state === 'pending') {
    // Only a stopped VM accepts ec2_running (filtered below); a stopping one started again fails.
    candidates.push('ec2_running');
    if (isStopping(vm.status) && instance.state === 'pending') candidates.push('fail');
  } else if (instance.state === 'terminated' || instance.state === 'shutting-down') {
    if (!isTerminating(vm.status)) candidates.push('fail');
  }
  return candidates.find((event) => transitionVm(vm, event).ok) ?? null;
}

/**
 * Adopts newly tagged instances and brings every record in a described region in line with
 * EC2: state, addresses (a changed address also updates the competition's vmAddress) and the
 * status changes EC2's state implies. Records of terminated instances are removed.
 */
export async function syncWithCompute(
  deps: UseCaseDeps,
  config: PoolConfig,
  vms: VmRecord[],
  described: Map<string, ComputeInstance[]>,
): Promise<SyncCounts> {
  const counts: SyncCounts = { adopted: 0, synced: 0, removed: 0 };
  const now = deps.clock.now();
  const limits = deadlineLimits(config, deps.settings);
  const byInstance = new Map<string, ComputeInstance>();
  for (const instances of described.values()) {
    for (const instance of instances) byInstance.set(instance.instanceId, instance);
  }
  const known = new Set(vms.map((vm) => vm.instanceId));
  const takenIds = new Set(vms.map((vm) => vm.vmId));

  for (const instance of byInstance.values()) {
    if (known.has(instance.instanceId)) continue;
    const status = adoptedStatus(instance.state);
    if (status === null) continue;
    const tagged = instance.tags.VmId;
    const pending = vms.find((vm) => vm.vmId === tagged && isPendingInstanceId(vm.instanceId));
    if (pending !== undefined) {
      // RunInstances succeeded but the record never learnt the id (a crash in between).
      await deps.store.updateVm(pending.vmId, (current) =>
        isPendingInstanceId(current.instanceId)
          ? { ...current, instanceId: instance.instanceId, ec2State: instance.state }
          : null,
      );
      known.add(instance.instanceId);
      continue;
    }
    let vmId = tagged !== undefined && isValidVmId(tagged) && !takenIds.has(tagged) ? tagged : null;
    for (let n = 1; vmId === null; n += 1) {
      if (!takenIds.has(makeVmId(n))) vmId = makeVmId(n);
    }
    const record = newVmRecord({
      vmId,
      instanceId: instance.instanceId,
      region: instance.region,
      status,
      now,
      reason: `adopted: tagged instance found in ${instance.region}`,
      deadline: deadlineFor(status, now, limits),
      ec2State: instance.state,
      publicIp: instance.publicIp,
      privateIp: instance.privateIp,
      publicDns: instance.publicDns,
      instanceType: instance.instanceType,
    });
    // The instance may have been running (its agent too) long before it was tagged.
    if (isAwaitingAgent(status)) record.lastStartedAt = instance.launchTime ?? now;
    if (await deps.store.createVm(record)) {
      takenIds.add(vmId);
      known.add(instance.instanceId);
      counts.adopted += 1;
      if (instance.tags.VmId !== vmId) {
        await deps.compute
          .tagInstance(instance.region, instance.instanceId, { VmId: vmId })
          .catch((error: unknown) =>
            deps.logger.warn('could not tag adopted instance', { vmId, error: String(error) }),
          );
      }
    }
  }

  for (const vm of vms) {
    if (!described.has(vm.region) || isPendingInstanceId(vm.instanceId)) continue;
    const instance = byInstance.get(vm.instanceId);
    if (instance === undefined || instance.state === 'terminated') {
      if (isTerminating(vm.status) || instance?.state === 'terminated') {
        // Before the record goes, so that a crash in between repeats it (issue 15).
        if (!holdsAssignment(vm)) await clearStreamState(deps, vm.vmId);
        if (await deps.store.deleteVm(vm.vmId, (current) => !holdsAssignment(current))) {
          counts.removed += 1;
          await revokeAgentSessions(deps, vm);
          continue;
        }
      }
      if (!isFailed(vm.status)) {
        await deps.store.updateVm(vm.vmId, (current) =>
          failVm(
            current,
            'fail',
            now,
            'instance_missing',
            `instance ${vm.instanceId} no longer exists in EC2`,
            { ec2State: instance?.state ?? 'unknown', deadline: null },
          ),
        );
        counts.synced += 1;
      }
      continue;
    }
    const addressBefore = vmAddressOf(vm, deps.settings);
    const event = ec2Event(vm, instance);
    const sameFields =
      vm.ec2State === instance.state &&
      vm.publicIp === instance.publicIp &&
      vm.privateIp === instance.privateIp &&
      vm.publicDns === instance.publicDns;
    if (sameFields && event === null) continue;
    const { vm: updated } = await deps.store.updateVm(vm.vmId, (current) => {
      const fields = {
        ec2State: instance.state,
        publicIp: instance.publicIp,
        privateIp: instance.privateIp,
        publicDns: instance.publicDns,
      };
      const latestEvent = ec2Event(current, instance);
      if (latestEvent === null) return { ...current, ...fields };
      if (latestEvent === 'fail') {
        return failVm(
          current,
          'fail',
          now,
          'ec2_unexpected_state',
          `EC2 reports ${instance.state} unexpectedly`,
          fields,
        );
      }
      return changeStatus(current, latestEvent, now, `EC2 reports ${instance.state}`, {
        ...fields,
        ...(latestEvent === 'ec2_stopped' ? { lastStoppedAt: now, deadline: null } : {}),
        ...(latestEvent === 'ec2_running'
          ? {
              // EC2's LaunchTime is the last start: an agent that came up before this
              // reconcile noticed the start still counts as ready.
              lastStartedAt: instance.launchTime ?? now,
              deadline: deadlineFor('starting', now, limits),
            }
          : {}),
      });
    });
    counts.synced += 1;
    if (updated && updated.assignedTo !== null && holdsAssignment(updated)) {
      const addressAfter = vmAddressOf(updated, deps.settings);
      if (addressAfter !== null && addressAfter !== addressBefore) {
        const competition = await deps.store.getCompetitionConfig(updated.assignedTo);
        if (competition?.vmId === updated.vmId) {
          await deps.store.setCompetitionVm(updated.assignedTo, updated.vmId, addressAfter);
        }
      }
    }
  }
  return counts;
}
