import type { PoolConfig } from '../../contract/pool-config';
import type { VmRecord } from '../../contract/vm-record';
import { isWarm } from '../vm-status';

const HOUR_MS = 60 * 60 * 1000;

/** When the VM last did something useful: its last release or start, else its status change. */
export function idleSince(vm: VmRecord): number {
  const marks = [vm.lastReleasedAt, vm.lastStartedAt].filter(
    (mark): mark is number => mark !== null,
  );
  return marks.length > 0 ? Math.max(...marks) : vm.statusChangedAt;
}

/**
 * Free available VMs idle for longer than autoStopAfterHours (0 disables), oldest first.
 * The warm minimum is kept: only VMs beyond minWarmVMs are stopped, otherwise the warm-pool
 * policy would start them again on the next reconcile.
 */
export function idleStopCandidates(
  vms: readonly VmRecord[],
  config: PoolConfig,
  now: number,
): VmRecord[] {
  if (config.autoStopAfterHours === 0) return [];
  const limitMs = config.autoStopAfterHours * HOUR_MS;
  const free = vms.filter((vm) => isWarm(vm.status) && vm.assignedTo === null);
  const surplus = Math.max(0, free.length - config.minWarmVMs);
  return free
    .filter((vm) => now - idleSince(vm) > limitMs)
    .sort((a, b) => idleSince(a) - idleSince(b) || a.vmId.localeCompare(b.vmId))
    .slice(0, surplus);
}
