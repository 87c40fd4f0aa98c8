import type { PoolConfig } from '../../contract/pool-config';
import type { VmRecord } from '../../contract/vm-record';
import { isAwaitingAgent, isCold, isWarm } from '../vm-status';
import { missingLaunchSettings } from './launch-settings';

export interface WarmPoolStatus {
  /** Free running VMs plus free VMs already starting. */
  warm: number;
  target: number;
  /** Stopped VMs to start now, never more than the deficit. */
  toStart: VmRecord[];
  /**
   * How many new VMs a launch could add without passing maxTotalVMs; 0 while the launch
   * settings are incomplete (see `launchBlockedBy`).
   */
  toLaunch: number;
  /** The launch settings that are missing (empty when a launch is possible). */
  launchBlockedBy: string[];
  /** Deficit left after starting and launching everything allowed. */
  missing: number;
}

function isFree(vm: VmRecord): boolean {
  return vm.assignedTo === null;
}

/** Counts a free VM that is or will soon be available. */
function isWarmOrWarming(vm: VmRecord): boolean {
  return isFree(vm) && (isWarm(vm.status) || isAwaitingAgent(vm.status));
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
  const launchBlockedBy = missingLaunchSettings(config);
  const room = launchBlockedBy.length > 0 ? 0 : Math.max(0, config.maxTotalVMs - vms.length);
  const toLaunch = Math.min(room, deficit - toStart.length);
  return {
    warm,
    target: config.minWarmVMs,
    toStart,
    toLaunch,
    launchBlockedBy,
    missing: deficit - toStart.length - toLaunch,
  };
}
