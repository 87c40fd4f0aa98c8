import {
  deadlineFor,
  makeVmId,
  missingLaunchSettings,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { RequestError } from '../requests/request-error';
import { deadlineLimits, newVmRecord } from './vm-changes';

/** Instance ids of records created before RunInstances answered. */
export const PENDING_INSTANCE_PREFIX = 'pending-';

export function isPendingInstanceId(instanceId: string): boolean {
  return instanceId.startsWith(PENDING_INSTANCE_PREFIX);
}

export interface LaunchInput {
  config: PoolConfig;
  requestId: string;
  region: string;
  instanceType: string;
  /** A competition that gets the VM once its agent is ready (a cold assign by launch). */
  assignTo?: { competitionId: string; requestedBy: string };
}

/**
 * Creates the VM record first (in a free `vm-NNN` slot numbered up to maxTotalVMs, so that
 * concurrent launches cannot pass the maximum), then calls RunInstances with a client token
 * derived from the request, so a repeated handler never starts a second instance.
 */
export async function launchPoolVm(deps: UseCaseDeps, input: LaunchInput): Promise<VmRecord> {
  const { config, requestId } = input;
  const missing = missingLaunchSettings(config);
  if (missing.length > 0) {
    throw new RequestError(
      'CONFIG_INCOMPLETE',
      `Cannot launch: set ${missing.join(', ')} in the pool config first`,
    );
  }
  const { vms } = await deps.store.listVms();
  const now = deps.clock.now();
  let record = vms.find((vm) => vm.requestId === requestId && isPendingInstanceId(vm.instanceId));
  if (record === undefined) {
    if (vms.length >= config.maxTotalVMs) {
      throw new RequestError(
        'CAPACITY_LIMIT',
        `The pool already has ${vms.length} VMs (maxTotalVMs ${config.maxTotalVMs})`,
      );
    }
    const taken = new Set(vms.map((vm) => vm.vmId));
    for (let n = 1; n <= config.maxTotalVMs && record === undefined; n += 1) {
      const vmId = makeVmId(n);
      if (taken.has(vmId)) continue;
      const candidate: VmRecord = {
        ...newVmRecord({
          vmId,
          instanceId: `${PENDING_INSTANCE_PREFIX}${requestId}`,
          region: input.region,
          status: 'starting',
          now,
          reason: input.assignTo
            ? `launching for ${input.assignTo.competitionId}`
            : 'launching a new instance',
          deadline: deadlineFor('starting', now, deadlineLimits(config, deps.settings)),
          ec2State: 'pending',
          instanceType: input.instanceType,
        }),
        requestId,
        ...(input.assignTo
          ? {
              assignedTo: input.assignTo.competitionId,
              assignedAt: now,
              assignedBy: input.assignTo.requestedBy,
            }
          : {}),
      };
      if (await deps.store.createVm(candidate)) record = candidate;
    }
    if (record === undefined) {
      throw new RequestError(
        'CAPACITY_LIMIT',
        `No free VM slot up to maxTotalVMs (${config.maxTotalVMs})`,
      );
    }
  }
  const vmId = record.vmId;
  try {
    const instance = await deps.compute.launchInstance(input.region, {
      amiId: config.amiId,
      instanceType: input.instanceType,
      subnetId: config.subnetId,
      securityGroupId: config.securityGroupId,
      keyPairName: config.keyPairName,
      instanceProfile: config.instanceProfile,
      userData: deps.settings.launchUserData,
      tags: { ...config.tags, VmId: vmId, Name: vmId },
      clientToken: requestId.slice(0, 64),
    });
    const { vm } = await deps.store.updateVm(vmId, (current) =>
      isPendingInstanceId(current.instanceId)
        ? {
            ...current,
            instanceId: instance.instanceId,
            ec2State: instance.state,
            publicIp: instance.publicIp,
            privateIp: instance.privateIp,
            publicDns: instance.publicDns,
          }
        : null,
    );
    return vm ?? record;
  } catch (error) {
    // Nothing was launched: free the slot so the pool does not count a ghost.
    await deps.store.deleteVm(
      vmId,
      (current) => current.requestId === requestId && isPendingInstanceId(current.instanceId),
    );
    throw error;
  }
}
