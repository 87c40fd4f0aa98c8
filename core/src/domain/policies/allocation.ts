import type { PoolConfig } from '../../contract/pool-config';
import type { RequestErrorCode } from '../../contract/request';
import type { HealthStatus, VmRecord } from '../../contract/vm-record';
import { holdsAssignment, isAssignable, isCold, isWarm } from '../vm-status';
import { launchSettingsComplete, missingLaunchSettings } from './launch-settings';

export interface AssignmentInput {
  competitionId: string;
  preferredVmId?: string;
  /** Matches the VM's AWS region or its `tags.region`. */
  region?: string;
  /** A tag the VM must list in `tags.capability`. */
  capability?: string;
}

export type AssignmentPick =
  | { kind: 'warm'; vm: VmRecord }
  | { kind: 'cold'; vm: VmRecord }
  | { kind: 'launch' }
  | { kind: 'none'; code: RequestErrorCode; reason: string };

const HEALTH_RANK: Record<HealthStatus, number> = {
  healthy: 0,
  unknown: 1,
  degraded: 2,
  unhealthy: 3,
};

/** A VM that may be handed to a competition right now: assignable status and no assignee. */
export function isFreeForAssignment(vm: VmRecord): boolean {
  return isAssignable(vm.status) && vm.assignedTo === null;
}

export function matchesPlacement(
  vm: VmRecord,
  input: Pick<AssignmentInput, 'region' | 'capability'>,
): boolean {
  if (input.region !== undefined && vm.region !== input.region && vm.tags.region !== input.region) {
    return false;
  }
  if (input.capability !== undefined && !(vm.tags.capability ?? []).includes(input.capability)) {
    return false;
  }
  return true;
}

/** Healthiest first, then by id so that the same pool always gives the same answer. */
function byPreference(a: VmRecord, b: VmRecord): number {
  return HEALTH_RANK[a.healthStatus] - HEALTH_RANK[b.healthStatus] || a.vmId.localeCompare(b.vmId);
}

/** The VM a competition currently holds, if any. */
export function vmHeldBy(vms: readonly VmRecord[], competitionId: string): VmRecord | undefined {
  return vms.find((vm) => vm.assignedTo === competitionId && holdsAssignment(vm));
}

/** How many assignments are held now (counted against maxConcurrent). */
export function heldAssignments(vms: readonly VmRecord[]): number {
  return vms.filter(holdsAssignment).length;
}

/**
 * Chooses how to satisfy an assignment: the preferred VM if it is free, else a warm
 * (available) VM, else a cold (stopped) one, else a launch when the pool may grow.
 * NO_VM_AVAILABLE: nothing is free and the pool cannot grow. CAPACITY_LIMIT: a VM could be
 * had (free or launchable), but maxConcurrent assignments are already held.
 */
export function pickVmForAssignment(
  vms: readonly VmRecord[],
  input: AssignmentInput,
  config: PoolConfig,
): AssignmentPick {
  const held = vmHeldBy(vms, input.competitionId);
  if (held !== undefined) {
    return {
      kind: 'none',
      code: 'ALREADY_ASSIGNED',
      reason: `${input.competitionId} already holds ${held.vmId} (${held.status})`,
    };
  }
  const pick = pickIgnoringConcurrency(vms, input, config);
  if (pick.kind === 'none') return pick;
  const inUse = heldAssignments(vms);
  if (inUse >= config.maxConcurrent) {
    const could =
      pick.kind === 'launch'
        ? 'a new VM could be launched'
        : `${pick.vm.vmId} is free (${pick.vm.status})`;
    return {
      kind: 'none',
      code: 'CAPACITY_LIMIT',
      reason: `${could}, but ${inUse} of ${config.maxConcurrent} concurrent assignments are in use (maxConcurrent)`,
    };
  }
  return pick;
}

function pickIgnoringConcurrency(
  vms: readonly VmRecord[],
  input: AssignmentInput,
  config: PoolConfig,
): AssignmentPick {
  const preferred =
    input.preferredVmId === undefined
      ? undefined
      : vms.find((vm) => vm.vmId === input.preferredVmId);
  if (preferred !== undefined && isFreeForAssignment(preferred)) {
    return isWarm(preferred.status)
      ? { kind: 'warm', vm: preferred }
      : { kind: 'cold', vm: preferred };
  }

  const candidates = vms
    .filter((vm) => isFreeForAssignment(vm) && matchesPlacement(vm, input))
    .sort(byPreference);
  const warm = candidates.find((vm) => isWarm(vm.status));
  if (warm !== undefined) return { kind: 'warm', vm: warm };
  const cold = candidates.find((vm) => isCold(vm.status));
  if (cold !== undefined) return { kind: 'cold', vm: cold };

  const blocked = whyLaunchIsImpossible(vms, input, config);
  if (blocked === null) return { kind: 'launch' };
  return {
    kind: 'none',
    code: 'NO_VM_AVAILABLE',
    reason: `No VM available${describePlacement(input)}: ${describePool(vms, input)}${blocked}`,
  };
}

/** Null when a new instance could serve the request, else the reason it cannot (a clause). */
function whyLaunchIsImpossible(
  vms: readonly VmRecord[],
  input: AssignmentInput,
  config: PoolConfig,
): string | null {
  if (input.capability !== undefined) {
    return `, and a new VM would not carry the ${input.capability} capability`;
  }
  if (input.region !== undefined && input.region !== config.awsRegion) {
    return `, and new VMs launch in ${config.awsRegion}`;
  }
  if (vms.length >= config.maxTotalVMs) {
    return ` and the pool is at its maximum of ${config.maxTotalVMs} (maxTotalVMs)`;
  }
  if (!launchSettingsComplete(config)) {
    const missing = missingLaunchSettings(config);
    return ` and no new VM can be launched until ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} set in the pool config`;
  }
  return null;
}

/** What the pool looks like to this request: how many VMs, and why none of them fits. */
function describePool(vms: readonly VmRecord[], input: AssignmentInput): string {
  if (vms.length === 0) return 'the pool has no VMs';
  const busy = vms.filter((vm) => !isFreeForAssignment(vm));
  const elsewhere = vms.length - busy.length;
  const busyText = `(${describeBusy(busy)})`;
  if (elsewhere === 0) {
    return vms.length === 1
      ? `the only VM is busy ${busyText}`
      : `all ${vms.length} VMs are busy ${busyText}`;
  }
  // Free VMs that do not match exist only when a placement was asked for.
  const free = `${elsewhere} VM${elsewhere === 1 ? ' is' : 's are'} free but not${describePlacement(input)}`;
  return busy.length === 0 ? free : `${free}; ${busy.length} busy ${busyText}`;
}

/** "18 assigned, 1 starting, 1 error", counted by status. */
function describeBusy(busy: readonly VmRecord[]): string {
  const counts = new Map<string, number>();
  for (const vm of busy) {
    const label = isAssignable(vm.status)
      ? `${vm.status} but still linked`
      : vm.status.replaceAll('_', ' ');
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].map(([label, count]) => `${count} ${label}`).join(', ');
}

function describePlacement(input: AssignmentInput): string {
  const parts = [
    input.region === undefined ? null : `in ${input.region}`,
    input.capability === undefined ? null : `with ${input.capability}`,
  ].filter((part): part is string => part !== null);
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`;
}
