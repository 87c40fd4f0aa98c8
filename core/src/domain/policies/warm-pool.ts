import type { PoolConfig } from '../../contract/pool-config';
import type { VmRecord } from '../../contract/vm-record';
import { isCold, isWarm } from '../vm-status';

export interface WarmPoolStatus {
  /** Free running VMs plus free VMs already starting. */
  warm: number;
  target: number;
  /** Stopped VMs to start now, never more than the deficit. */
  toStart: VmRecord[];
  /** How many new VMs a launch could add without passing maxTotalVMs (0 without an AMI). */
  toLaunch: number;
  /** Deficit left after starting and launching everything allowed. */
  missing: number;
}

function isFree(vm: VmRecord): boolean {
  return vm.assignedTo === null;
}

/** Counts a free VM that is or will soon be available. */
function isWarmOrWarming(vm: VmRecord): boolean {
  return isFree(vm) && (isWarm(vm.status) || vm.status === 'starting');
}

/** Stopped VMs to start first: the most recently stopped are likely the freshest. */
function byStartPreference(a: VmRecord, b: VmRecord): number {
  return (b.lastStoppedAt ?? 0) - (a.lastStoppedAt ?? 0) || a.vmId.localeCompare(b.vmId);
}

/** Where the warm minimum stands and what to do about it. */
export function warmPoolStatus(vms: readonly VmRecord[], config: PoolConfig): WarmPoolStatus {
  const warm = vms.filter(isWarmOrWarming).length;
  const deficit = Math.max(0, config.minWarmVMs - warm);
  const toStart = vms
    .filter((vm) => isFree(vm) && isCold(vm.status))
    .sort(byStartPreference)
    .slice(0, deficit);
  const room = config.amiId === '' ? 0 : Math.max(0, config.maxTotalVMs - vms.length);
  const toLaunch = Math.min(room, deficit - toStart.length);
  return {
    warm,
    target: config.minWarmVMs,
    toStart,
    toLaunch,
    missing: deficit - toStart.length - toLaunch,
  };
}

/** The stopped VMs to start so that minWarmVMs free VMs are running (never more). */
export function warmDeficit(vms: readonly VmRecord[], config: PoolConfig): VmRecord[] {
  return warmPoolStatus(vms, config).toStart;
}
