/**
 * One pool VM: status, network, assignment, service health, metrics, copyable access
 * commands and the actions an admin may take, with progress of the request in flight.
 */
import {
  DEFAULT_POOL_CONFIG,
  healthVerdict,
  isRunningStatus,
  STATUS_INFO,
  type HealthStatus,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import { useId, useState, type ReactNode } from 'react';
import type { RequestResult } from '@vmpool/core';
import { CopyCommand } from '../../../../components/CopyCommand';
import { Spinner } from '../../../../components/StateBox';
import { formatAgo, formatDuration } from '../../../../lib/format';
import { RequestProgress, isFinished } from '../../../requests';
import { agentPresence, PRESENCE_TEXT } from '../../lib/agentPresence';
import type { VmActionAvailability } from '../../lib/vmActions';
import { Metrics } from '../Metrics';
import { ServiceDots } from '../ServiceDots';
import { StatusBadge } from '../StatusBadge';

const HEALTH_TONE: Readonly<Record<HealthStatus, string>> = {
  healthy: 'green',
  degraded: 'yellow',
  unhealthy: 'red',
  unknown: 'gray',
};

export type VmAction =
  | { kind: 'start' }
  | { kind: 'stop' }
  | { kind: 'reboot' }
  | { kind: 'assign'; competitionId: string }
  | { kind: 'release' }
  | { kind: 'maintenance'; enabled: boolean }
  | { kind: 'terminate' };

export interface PendingRequest {
  /** The button that started it; null for a request someone else made. */
  action: VmAction['kind'] | null;
  title: string;
  result: RequestResult | null;
  error: string | null;
}

export interface CompetitionOption {
  id: string;
  name: string;
}

export interface VMCardProps {
  vm: VmRecord;
  now: number;
  /** Pool settings (agent staleness); null while loading judges with core's defaults. */
  poolConfig: PoolConfig | null;
  availability: VmActionAvailability;
  /** Name of the competition in `assignedTo`, when known. */
  assignedName: string | null;
  /** Competitions without a VM, offered by the Assign control. */
  competitionOptions: readonly CompetitionOption[];
  /** Admins see access commands, assign/start/stop/maintenance and the console toggle. */
  isAdmin: boolean;
  pending: PendingRequest | null;
  onAction(action: VmAction): void;
  onDismissPending?: () => void;
  /** The command console, shown under the card when the admin opens it. */
  console?: ReactNode;
}

function ActionButton({
  label,
  busy,
  disabled,
  onClick,
  variant = '',
  title,
}: {
  label: string;
  busy: boolean;
  disabled: boolean;
  onClick(): void;
  variant?: string;
  title?: string;
}) {
  return (
    <button
      type="button"
      className={`btn btn-small ${variant}`}
      disabled={disabled}
      aria-busy={busy}
      onClick={onClick}
      title={title}
    >
      {busy && <Spinner />}
      {label}
    </button>
  );
}

export function VMCard(props: VMCardProps) {
  const { vm, now, availability, pending, isAdmin, onAction } = props;
  const info = STATUS_INFO[vm.status];
  const [competitionId, setCompetitionId] = useState('');
  const [consoleOpen, setConsoleOpen] = useState(false);
  // Terminating deletes the instance, so it takes a second click (like Launch).
  const [confirmTerminate, setConfirmTerminate] = useState(false);
  const selectId = useId();
  const config = props.poolConfig ?? DEFAULT_POOL_CONFIG;
  const presence = agentPresence(vm.agent, now, config.agentStaleSeconds);
  // While the VM should be up, judge its health live: the stored verdict lags behind a dead
  // agent until the next health check. Otherwise the stored verdict is all there is.
  const health = isRunningStatus(vm.status)
    ? healthVerdict(vm.agent, config, now)
    : { status: vm.healthStatus, agentStale: false, reasons: [] };
  const inFlight = pending !== null && !isFinished(pending.result) && pending.error === null;
  const busy = (kind: VmAction['kind']) => inFlight && pending.action === kind;
  const publicIp = vm.publicIp ?? vm.agent?.publicIp ?? null;
  const region = vm.region !== '' ? vm.region : (vm.agent?.region ?? '');
  const instanceType = vm.agent?.instanceType ?? '';
  const uptime = vm.agent?.metrics?.uptimeSeconds;

  return (
    <article className="vm-card" aria-label={`VM ${vm.vmId}`} data-tone={info.colour}>
      <header className="vm-card-head">
        <div className="vm-card-title">
          <h3>{vm.vmId}</h3>
          <span className="faint" style={{ fontSize: 12 }}>
            {[vm.instanceId, region, instanceType].filter((part) => part !== '').join(' · ')}
          </span>
        </div>
        <StatusBadge status={vm.status} />
      </header>
      <div className="vm-card-body">
        {vm.statusReason !== '' && (
          <div className="status-reason">
            {vm.statusReason} <span className="faint">· {formatAgo(vm.statusChangedAt, now)}</span>
          </div>
        )}
        <dl className="kv">
          <dt>Public IP</dt>
          <dd className="mono">{publicIp ?? <span className="faint">none</span>}</dd>
          <dt>Assigned to</dt>
          <dd>
            {vm.assignedTo === null ? (
              <span className="faint">—</span>
            ) : (
              <span title={vm.assignedTo}>{props.assignedName ?? vm.assignedTo}</span>
            )}
          </dd>
          <dt>Agent</dt>
          <dd>
            <span
              className={`dot dot-${presence === 'online' ? 'green' : presence === 'never' ? 'gray' : 'red'}`}
              aria-hidden="true"
            />{' '}
            {PRESENCE_TEXT[presence]}
            {vm.agent !== null && (
              <span className="faint"> · seen {formatAgo(vm.agent.lastSeen, now)}</span>
            )}
          </dd>
          <dt>Health</dt>
          <dd title={health.reasons.join('; ') || undefined}>
            <span className={`dot dot-${HEALTH_TONE[health.status]}`} aria-hidden="true" />{' '}
            {health.status}
            {/* Service problems show in the dots below; a silent agent shows nowhere else. */}
            {health.agentStale && health.reasons[0] !== undefined && (
              <span className="faint"> · {health.reasons[0]}</span>
            )}
            {uptime !== undefined && presence === 'online' && (
              <span className="faint"> · up {formatDuration(uptime * 1000)}</span>
            )}
          </dd>
        </dl>
        <ServiceDots
          services={vm.agent?.services ?? null}
          now={now}
          stale={presence !== 'online'}
        />
        <Metrics metrics={presence === 'online' ? (vm.agent?.metrics ?? null) : null} />
        {isAdmin && (
          <>
            <CopyCommand
              label={`SSM command for ${vm.vmId}`}
              command={`aws ssm start-session --target ${vm.instanceId} --region ${region || 'us-east-1'}`}
            />
            {publicIp !== null && (
              <CopyCommand
                label={`SSH command for ${vm.vmId}`}
                command={`ssh ubuntu@${publicIp}`}
              />
            )}
          </>
        )}
        {pending !== null && (
          <RequestProgress
            title={pending.title}
            result={pending.result}
            now={now}
            error={pending.error}
            {...(props.onDismissPending === undefined ? {} : { onDismiss: props.onDismissPending })}
          />
        )}
      </div>
      <footer className="vm-card-actions">
        {isAdmin && (
          <div className="vm-card-actions-row">
            <ActionButton
              label="Start"
              busy={busy('start')}
              disabled={inFlight || !availability.start}
              onClick={() => onAction({ kind: 'start' })}
            />
            <ActionButton
              label="Stop"
              busy={busy('stop')}
              disabled={inFlight || !availability.stop}
              onClick={() => onAction({ kind: 'stop' })}
            />
            <ActionButton
              label="Reboot"
              busy={busy('reboot')}
              disabled={inFlight || !availability.reboot}
              onClick={() => onAction({ kind: 'reboot' })}
            />
            <ActionButton
              label={availability.maintenanceOff ? 'End maintenance' : 'Maintenance'}
              busy={busy('maintenance')}
              disabled={inFlight || !(availability.maintenanceOn || availability.maintenanceOff)}
              onClick={() => onAction({ kind: 'maintenance', enabled: availability.maintenanceOn })}
              title={
                availability.maintenanceOn
                  ? 'Take this VM out of the pool'
                  : 'Return this VM to the pool'
              }
            />
          </div>
        )}
        {((isAdmin && availability.assign) || availability.release) && (
          <div className="vm-card-actions-row">
            {isAdmin && availability.assign && (
              <span className="assign-group">
                <label htmlFor={selectId} className="visually-hidden">
                  Competition for {vm.vmId}
                </label>
                <select
                  id={selectId}
                  value={competitionId}
                  disabled={inFlight || props.competitionOptions.length === 0}
                  onChange={(event) => setCompetitionId(event.target.value)}
                >
                  <option value="">
                    {props.competitionOptions.length === 0
                      ? 'No competition without VM'
                      : 'Competition…'}
                  </option>
                  {props.competitionOptions.map((option) => (
                    <option key={option.id} value={option.id}>
                      {option.name}
                    </option>
                  ))}
                </select>
                <ActionButton
                  label="Assign VM"
                  variant="btn-primary"
                  busy={busy('assign')}
                  disabled={inFlight || competitionId === ''}
                  onClick={() => onAction({ kind: 'assign', competitionId })}
                />
              </span>
            )}
            {availability.release && (
              <ActionButton
                label="Release VM"
                variant="btn-danger"
                busy={busy('release')}
                disabled={inFlight}
                onClick={() => onAction({ kind: 'release' })}
              />
            )}
          </div>
        )}
        {isAdmin && (props.console !== undefined || availability.terminate) && (
          // Rarely used: the console, and (kept apart from everyday actions) Terminate.
          <div className="vm-card-actions-row">
            {props.console !== undefined && (
              <button
                type="button"
                className="btn btn-small btn-link flush"
                aria-expanded={consoleOpen}
                onClick={() => setConsoleOpen((open) => !open)}
              >
                {consoleOpen ? 'Hide console' : 'Console'}
              </button>
            )}
            {availability.terminate && !confirmTerminate && (
              <ActionButton
                label="Terminate"
                variant="btn-danger push-right"
                busy={busy('terminate')}
                disabled={inFlight}
                onClick={() => setConfirmTerminate(true)}
                title="Delete this instance for good"
              />
            )}
          </div>
        )}
        {isAdmin && availability.terminate && confirmTerminate && (
          <div className="confirm-row" role="group" aria-label={`Confirm terminate of ${vm.vmId}`}>
            <span>
              Terminate <strong className="mono">{vm.vmId}</strong>? The instance and its disk are
              deleted.
            </span>
            <span className="btn-row">
              <button
                type="button"
                className="btn btn-small btn-danger-solid"
                disabled={inFlight}
                onClick={() => {
                  setConfirmTerminate(false);
                  onAction({ kind: 'terminate' });
                }}
              >
                Terminate {vm.vmId}
              </button>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => setConfirmTerminate(false)}
              >
                Cancel
              </button>
            </span>
          </div>
        )}
      </footer>
      {consoleOpen && props.console !== undefined && (
        <div className="panel-body">{props.console}</div>
      )}
    </article>
  );
}
