/**
 * One pool VM (PRD P16-02): status, facts (IP, assignment, agent, health), service health,
 * metrics, copyable access commands and the actions an admin may take, with progress of the
 * request in flight. The parts live beside it: VmFacts, VmAccessCommands, VmActionBar.
 */
import {
  DEFAULT_POOL_CONFIG,
  recoveryOutlook,
  STATUS_INFO,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import { useState, type ReactNode } from 'react';
import { formatAgo, formatClock, formatIn } from '../../../../lib/format';
import { isFinished, RequestProgress } from '../../../requests';
import { agentPresence } from '../../lib/agentPresence';
import type { VmActionAvailability } from '../../lib/vmActions';
import { Metrics } from '../Metrics';
import { ServiceDots } from '../ServiceDots';
import { StatusBadge } from '../StatusBadge';
import type { CompetitionOption, PendingRequest, VmAction } from './types';
import { VmAccessCommands } from './VmAccessCommands';
import { VmActionBar } from './VmActionBar';
import { VmFacts } from './VmFacts';

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
  /** The stream panel (preview, health line, chart), shown while the VM runs (issue 15). */
  stream?: ReactNode;
}

export function VMCard(props: VMCardProps) {
  const { vm, now, pending, isAdmin } = props;
  const info = STATUS_INFO[vm.status];
  const [consoleOpen, setConsoleOpen] = useState(false);
  const config = props.poolConfig ?? DEFAULT_POOL_CONFIG;
  const presence = agentPresence(vm.agent, now, config.agentStaleSeconds);
  const outlook = recoveryOutlook(vm, config, now);
  const inFlight = pending !== null && !isFinished(pending.result) && pending.error === null;
  const publicIp = vm.publicIp ?? vm.agent?.publicIp ?? null;
  const region = vm.region !== '' ? vm.region : (vm.agent?.region ?? '');
  const instanceType = vm.agent?.instanceType ?? '';

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
        {outlook !== null && (
          <div className="status-reason" role="note" aria-label={`Recovery of ${vm.vmId}`}>
            <strong>Cause:</strong> {outlook.phrase}. <strong>Recovery:</strong>{' '}
            {outlook.automatic ? 'automatic' : 'not automatic'} · {outlook.next}
            {outlook.automatic && outlook.nextAttemptAt !== null && (
              <>
                {' '}
                · next try{' '}
                <time
                  dateTime={new Date(outlook.nextAttemptAt).toISOString()}
                  title={formatClock(outlook.nextAttemptAt)}
                >
                  {formatIn(outlook.nextAttemptAt, now)}
                </time>
              </>
            )}
            {outlook.automatic && (
              <span className="faint">
                {' '}
                · {outlook.attempts} of {outlook.maxAttempts} attempts used
              </span>
            )}
          </div>
        )}
        <VmFacts
          vm={vm}
          now={now}
          config={config}
          presence={presence}
          publicIp={publicIp}
          assignedName={props.assignedName}
        />
        <ServiceDots
          services={vm.agent?.services ?? null}
          now={now}
          stale={presence !== 'online'}
        />
        <Metrics metrics={presence === 'online' ? (vm.agent?.metrics ?? null) : null} />
        {props.stream}
        {isAdmin && <VmAccessCommands vm={vm} region={region} publicIp={publicIp} />}
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
      <VmActionBar
        vm={vm}
        availability={props.availability}
        isAdmin={isAdmin}
        inFlight={inFlight}
        busyWith={inFlight ? pending.action : null}
        competitionOptions={props.competitionOptions}
        onAction={props.onAction}
        hasConsole={props.console !== undefined}
        consoleOpen={consoleOpen}
        onToggleConsole={() => setConsoleOpen((open) => !open)}
      />
      {consoleOpen && props.console !== undefined && (
        <div className="panel-body">{props.console}</div>
      )}
    </article>
  );
}
