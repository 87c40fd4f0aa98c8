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
  /**
   * Differs per request (its id): among equally good VMs, each request prefers its own order
   * (rendezvous hashing), so concurrent assigns spread over the pool instead of all reaching
   * for the same VM. Deterministic: a repeated run of one request ranks the same way.
   * Without it, equally good VMs are ranked by id.
   */
  spreadKey?: string;
}

/** What the allocator reads of a VM (the control plane's allocation index holds just this). */
export type AllocatableVm = Pick<
  VmRecord,
  'vmId' | 'status' | 'assignedTo' | 'healthStatus' | 'region' | 'tags'
>;

export type AssignmentPick<V extends AllocatableVm = VmRecord> =
  | { kind: 'warm'; vm: V }
  | { kind: 'cold'; vm: V }
  | { kind: 'launch' }
  | { kind: 'none'; code: RequestErrorCode; reason: string };

export type AssignmentCandidate<V extends AllocatableVm = VmRecord> = {
  kind: 'warm' | 'cold';
  vm: V;
};

/**
 * Every way to satisfy an assignment, best first: `candidates` to claim in that order (the
 * next one when a concurrent assign took the previous), or a launch, or why none.
 */
export type AssignmentRanking<V extends AllocatableVm = VmRecord> =
  | { kind: 'claim'; candidates: AssignmentCandidate<V>[] }
  | { kind: 'launch' }
  | { kind: 'none'; code: RequestErrorCode; reason: string };

const HEALTH_RANK: Record<HealthStatus, number> = {
  healthy: 0,
  unknown: 1,
  degraded: 2,
  unhealthy: 3,
};

/** A VM that may be handed to a competition right now: assignable status and no assignee. */
export function isFreeForAssignment(vm: Pick<VmRecord, 'status' | 'assignedTo'>): boolean {
  return isAssignable(vm.status) && vm.assignedTo === null;
}

export function matchesPlacement(
  vm: Pick<VmRecord, 'region' | 'tags'>,
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

/** FNV-1a, 32 bits: a cheap, stable hash (not for security: only to spread picks). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The weight of a VM for one request (rendezvous hashing): each request orders VMs its own way. */
export function spreadWeight(spreadKey: string, vmId: string): number {
  return fnv1a(`${spreadKey}\u0000${vmId}`);
}

/**
 * Healthiest first; among equally healthy VMs by the request's own hash order when it has a
 * spread key, else by id, so that the same pool and request always give the same answer.
 */
function byPreference(
  spreadKey: string | undefined,
): (a: AllocatableVm, b: AllocatableVm) => number {
  return (a, b) =>
    HEALTH_RANK[a.healthStatus] - HEALTH_RANK[b.healthStatus] ||
    (spreadKey === undefined
      ? 0
      : spreadWeight(spreadKey, b.vmId) - spreadWeight(spreadKey, a.vmId)) ||
    a.vmId.localeCompare(b.vmId);
}

/** The VM a competition currently holds, if any. */
export function vmHeldBy<V extends AllocatableVm>(
  vms: readonly V[],
  competitionId: string,
): V | undefined {
  return vms.find((vm) => vm.assignedTo === competitionId && holdsAssignment(vm));
}

/** How many assignments are held now (counted against maxConcurrent). */
export function heldAssignments(vms: readonly Pick<VmRecord, 'status' | 'assignedTo'>[]): number {
  return vms.filter(holdsAssignment).length;
}

/**
 * Chooses how to satisfy an assignment: the preferred VM if it is free, else a warm
 * (available) VM, else a cold (stopped) one, else a launch when the pool may grow.
 * NO_VM_AVAILABLE: nothing is free and the pool cannot grow. CAPACITY_LIMIT: a VM could be
 * had (free or launchable), but maxConcurrent assignments are already held.
 */
export function pickVmForAssignment<V extends AllocatableVm>(
  vms: readonly V[],
  input: AssignmentInput,
  config: PoolConfig,
): AssignmentPick<V> {
  const ranking = rankVmsForAssignment(vms, input, config);
  if (ranking.kind !== 'claim') return ranking;
  const [best] = ranking.candidates;
  if (best === undefined) throw new Error('a claim ranking always has a candidate');
  return best;
}

/**
 * Every free VM that fits the assignment, best first (`pickVmForAssignment` is its head): the
 * preferred VM if free, then warm VMs, then cold ones, each healthiest first and, among equals,
 * in the request's own order (`spreadKey`). A caller whose claim is lost to a concurrent
 * assign takes the next candidate, after re-ranking its view with what the claim saw (which
 * re-checks maxConcurrent), without reading the pool again.
 */
export function rankVmsForAssignment<V extends AllocatableVm>(
  vms: readonly V[],
  input: AssignmentInput,
  config: PoolConfig,
): AssignmentRanking<V> {
  const held = vmHeldBy(vms, input.competitionId);
  if (held !== undefined) {
    return {
      kind: 'none',
      code: 'ALREADY_ASSIGNED',
      reason: `${input.competitionId} already holds ${held.vmId} (${held.status})`,
    };
  }
  const ranking = rankIgnoringConcurrency(vms, input, config);
  if (ranking.kind === 'none') return ranking;
  const inUse = heldAssignments(vms);
  if (inUse >= config.maxConcurrent) {
    const first = ranking.kind === 'claim' ? ranking.candidates[0] : undefined;
    const could =
      first === undefined
        ? 'a new VM could be launched'
        : `${first.vm.vmId} is free (${first.vm.status})`;
    return {
      kind: 'none',
      code: 'CAPACITY_LIMIT',
      reason: `${could}, but ${inUse} of ${config.maxConcurrent} concurrent assignments are in use (maxConcurrent)`,
    };
  }
  return ranking;
}

function candidateOf<V extends AllocatableVm>(vm: V): AssignmentCandidate<V> {
  return isWarm(vm.status) ? { kind: 'warm', vm } : { kind: 'cold', vm };
}

function rankIgnoringConcurrency<V extends AllocatableVm>(
  vms: readonly V[],
  input: AssignmentInput,
  config: PoolConfig,
): AssignmentRanking<V> {
  const preferred =
    input.preferredVmId === undefined
      ? undefined
      : vms.find((vm) => vm.vmId === input.preferredVmId);
  const first =
    preferred !== undefined && isFreeForAssignment(preferred) ? [candidateOf(preferred)] : [];

  const fitting = vms
    .filter((vm) => vm !== preferred && isFreeForAssignment(vm) && matchesPlacement(vm, input))
    .sort(byPreference(input.spreadKey));
  const candidates = [
    ...first,
    ...fitting.filter((vm) => isWarm(vm.status)).map(candidateOf),
    ...fitting.filter((vm) => isCold(vm.status)).map(candidateOf),
  ];
  if (candidates.length > 0) return { kind: 'claim', candidates };

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
  vms: readonly AllocatableVm[],
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
function describePool(vms: readonly AllocatableVm[], input: AssignmentInput): string {
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
function describeBusy(busy: readonly AllocatableVm[]): string {
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

/**
 * The caller's view of the pool after a claim on `vmId` was lost: the record as the claim saw
 * it (or gone, when `current` is null). Ranking this view again gives the next candidate and
 * re-checks the limits, without reading the whole pool again.
 */
export function afterLostClaim<V extends AllocatableVm>(
  vms: readonly V[],
  vmId: string,
  current: V | null,
): V[] {
  if (current === null) return vms.filter((vm) => vm.vmId !== vmId);
  return vms.map((vm) => (vm.vmId === vmId ? current : vm));
}
