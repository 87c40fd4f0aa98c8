import type { PoolConfig } from '../../contract/pool-config';
import type { VmRecord } from '../../contract/vm-record';
import { isAwaitingAgent, isCold, isWarm } from '../vm-status';
import { missingLaunchSettings } from './launch-settings';

export interface WarmPoolStatus {
  /** Free running VMs plus free VMs already starting. */
  warm: number;
  /**
   * Issue 11: free VMs whose instance runs and that are in `error` only because their agent
   * has not reported yet (`agent_stale`, e.g. after the control plane or the database came
   * back), counted as capacity on its way for a bounded time (`awaitsAgentReturn`).
   */
  awaitingAgent: number;
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

/**
 * Issue 11: a free VM in `error` with cause `agent_stale` whose instance EC2 runs is capacity
 * on its way, not capacity lost, for as long as a start would take plus the staleness window
 * (`warmupTimeSeconds + agentStaleSeconds` after it went into error): after a restart of the
 * control plane (or of the database) every agent looks stale until it reports again, and
 * starting other VMs for them only to stop those later costs money and churn. An agent that
 * does not report within that time has failed for real, and the warm minimum replaces it.
 */
export function awaitsAgentReturn(
  vm: VmRecord,
  config: Pick<PoolConfig, 'warmupTimeSeconds' | 'agentStaleSeconds'>,
  now: number,
): boolean {
  const boundMs = (config.warmupTimeSeconds + config.agentStaleSeconds) * 1000;
  return (
    isFree(vm) &&
    vm.status === 'error' &&
    vm.errorCause === 'agent_stale' &&
    vm.ec2State === 'running' &&
    now - vm.statusChangedAt < boundMs
  );
}

/** Stopped VMs to start first: the most recently stopped are likely the freshest. */
function byStartPreference(a: VmRecord, b: VmRecord): number {
  return (b.lastStoppedAt ?? 0) - (a.lastStoppedAt ?? 0) || a.vmId.localeCompare(b.vmId);
}

/**
 * Where the warm minimum stands and what to do about it at `now` (without `now`, e.g. for a
 * count on a page, no VM counts as awaiting its agent).
 */
export function warmPoolStatus(
  vms: readonly VmRecord[],
  config: PoolConfig,
  now?: number,
): WarmPoolStatus {
  const warm = vms.filter(isWarmOrWarming).length;
  const awaitingAgent =
    now === undefined ? 0 : vms.filter((vm) => awaitsAgentReturn(vm, config, now)).length;
  const deficit = Math.max(0, config.minWarmVMs - warm - awaitingAgent);
  const toStart = vms
    .filter((vm) => isFree(vm) && isCold(vm.status))
    .sort(byStartPreference)
    .slice(0, deficit);
  const launchBlockedBy = missingLaunchSettings(config);
  const room = launchBlockedBy.length > 0 ? 0 : Math.max(0, config.maxTotalVMs - vms.length);
  const toLaunch = Math.min(room, deficit - toStart.length);
  return {
    warm,
    awaitingAgent,
    target: config.minWarmVMs,
    toStart,
    toLaunch,
    launchBlockedBy,
    missing: deficit - toStart.length - toLaunch,
  };
}
