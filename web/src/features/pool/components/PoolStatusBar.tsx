/**
 * Pool overview: a count per status, a utilisation bar, a warning when fewer VMs are warm
 * than configured, and a quick "Start cold VM".
 */
import {
  STATUS_INFO,
  VM_STATUSES,
  holdsAssignment,
  isBillable,
  isCold,
  isWarm,
  type PoolConfig,
  type VmRecord,
  type VmStatus,
} from '@vmpool/core';
import { Spinner } from '../../../components/StateBox';
import { pluralise } from '../../../lib/format';

/** The PRD's counts, always shown; other states appear when a VM is in them. */
const ALWAYS_SHOWN: readonly VmStatus[] = ['available', 'assigned', 'in_use', 'stopped', 'error'];

export interface PoolStatusBarProps {
  vms: readonly VmRecord[];
  config: PoolConfig;
  isAdmin: boolean;
  /** A "Start cold VM" request is in flight. */
  startingCold: boolean;
  onStartColdVm(vmId: string): void;
}

export function PoolStatusBar({
  vms,
  config,
  isAdmin,
  startingCold,
  onStartColdVm,
}: PoolStatusBarProps) {
  const counts = new Map<VmStatus, number>();
  for (const vm of vms) counts.set(vm.status, (counts.get(vm.status) ?? 0) + 1);
  const shown = VM_STATUSES.filter(
    (status) => ALWAYS_SHOWN.includes(status) || (counts.get(status) ?? 0) > 0,
  );

  const total = vms.length;
  const available = vms.filter((vm) => isWarm(vm.status)).length;
  const inShows = vms.filter((vm) => holdsAssignment(vm)).length;
  const billable = vms.filter((vm) => isBillable(vm.status, vm.ec2State)).length;
  const coldVm = vms.find((vm) => isCold(vm.status) && vm.assignedTo === null);
  const utilisation = total === 0 ? 0 : Math.round((inShows / total) * 100);
  const low = available < config.minWarmVMs;
  // VMs in shows first and solid, free ones after and faded: the solid part of the bar is the
  // utilisation the meter reports, and the colours still show what the pool is doing.
  const segments = [true, false].flatMap((held) =>
    VM_STATUSES.map((status) => ({
      status,
      held,
      count: vms.filter((vm) => vm.status === status && holdsAssignment(vm) === held).length,
    })).filter((segment) => segment.count > 0),
  );

  const startButton = isAdmin && (
    <button
      type="button"
      className="btn btn-small"
      disabled={coldVm === undefined || startingCold}
      aria-busy={startingCold}
      title={coldVm === undefined ? 'No stopped VM to start' : `Starts ${coldVm.vmId}`}
      onClick={() => coldVm !== undefined && onStartColdVm(coldVm.vmId)}
    >
      {startingCold && <Spinner />}
      Start cold VM
    </button>
  );

  return (
    <section className="panel pool-status" aria-label="Pool status">
      <div className="pool-status-row">
        <ul className="pool-counts" aria-label="VMs per status">
          {shown.map((status) => (
            <li
              key={status}
              className="pool-count"
              aria-label={`${STATUS_INFO[status].label}: ${counts.get(status) ?? 0}`}
            >
              <strong>{counts.get(status) ?? 0}</strong>
              <span>
                <span className={`dot dot-${STATUS_INFO[status].colour}`} aria-hidden="true" />
                {STATUS_INFO[status].label}
              </span>
            </li>
          ))}
        </ul>
        <div className="utilisation">
          <div className="utilisation-label">
            <span>
              Utilisation: <strong>{utilisation}%</strong> ({inShows} of {pluralise(total, 'VM')} in
              shows)
            </span>
            <span>
              {billable} billable · max {config.maxTotalVMs}
            </span>
          </div>
          <div
            className="stack-bar"
            role="meter"
            aria-label="Pool utilisation"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={utilisation}
          >
            {segments.map((segment) => (
              <span
                key={`${segment.status}-${segment.held ? 'held' : 'free'}`}
                className={`fill-${STATUS_INFO[segment.status].colour}${segment.held ? '' : ' free'}`}
                style={{ width: `${(segment.count / total) * 100}%` }}
                title={`${STATUS_INFO[segment.status].label}${segment.held ? ' (in a show)' : ''}: ${segment.count}`}
              />
            ))}
          </div>
        </div>
        {!low && startButton}
      </div>
      {low && (
        <div className="callout callout-warning" role="status">
          <span aria-hidden="true">⚠</span>
          <span>
            <strong>Pool is low:</strong> {pluralise(available, 'VM')} available,{' '}
            {config.minWarmVMs} should be warm.
            {coldVm === undefined ? ' No stopped VM left to start.' : ''}
          </span>
          {startButton}
        </div>
      )}
    </section>
  );
}
