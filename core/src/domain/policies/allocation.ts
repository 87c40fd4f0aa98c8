import type { PoolConfig } from '../../contract/pool-config';
import type { RequestErrorCode } from '../../contract/request';
import type { HealthStatus, VmRecord } from '../../contract/vm-record';
import { holdsAssignment, isAssignable, isCold, isWarm } from '../vm-status';

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
  const inUse = heldAssignments(vms);
  if (inUse >= config.maxConcurrent) {
    return {
      kind: 'none',
      code: 'CAPACITY_LIMIT',
      reason: `${inUse} of ${config.maxConcurrent} concurrent assignments are in use (maxConcurrent)`,
    };
  }

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

  return launchOrNone(vms, input, config);
}

function launchOrNone(
  vms: readonly VmRecord[],
  input: AssignmentInput,
  config: PoolConfig,
): AssignmentPick {
  const wanted = describePlacement(input);
  if (input.capability !== undefined) {
    // A fresh instance carries no capability tags, so launching cannot satisfy the request.
    return { kind: 'none', code: 'NO_VM_AVAILABLE', reason: `no free VM${wanted}` };
  }
  if (input.region !== undefined && input.region !== config.awsRegion) {
    return {
      kind: 'none',
      code: 'NO_VM_AVAILABLE',
      reason: `no free VM${wanted}, and new VMs launch in ${config.awsRegion}`,
    };
  }
  if (vms.length >= config.maxTotalVMs) {
    return {
      kind: 'none',
      code: 'NO_VM_AVAILABLE',
      reason: `no free VM${wanted}, and the pool is at maxTotalVMs (${config.maxTotalVMs})`,
    };
  }
  if (config.amiId === '') {
    return {
      kind: 'none',
      code: 'CONFIG_INCOMPLETE',
      reason: `no free VM${wanted}, and no AMI is configured to launch one`,
    };
  }
  return { kind: 'launch' };
}

function describePlacement(input: AssignmentInput): string {
  const parts = [
    input.region === undefined ? null : `in ${input.region}`,
    input.capability === undefined ? null : `with ${input.capability}`,
  ].filter((part): part is string => part !== null);
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`;
}
