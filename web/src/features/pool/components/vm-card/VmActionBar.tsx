/**
 * A VM card's actions: start / stop / reboot / maintenance for admins, assign to a
 * competition, release, the console toggle, and Terminate behind a confirmation.
 */
import type { VmRecord } from '@vmpool/core';
import { useId, useState } from 'react';
import { Spinner } from '../../../../components/StateBox';
import type { VmActionAvailability } from '../../lib/vmActions';
import type { CompetitionOption, VmAction } from './types';

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

export function VmActionBar({
  vm,
  availability,
  isAdmin,
  inFlight,
  busyWith,
  competitionOptions,
  onAction,
  hasConsole,
  consoleOpen,
  onToggleConsole,
}: {
  vm: VmRecord;
  availability: VmActionAvailability;
  isAdmin: boolean;
  /** A request of this card is running: every action waits for it. */
  inFlight: boolean;
  /** The action whose request is running, whose button spins. */
  busyWith: VmAction['kind'] | null;
  competitionOptions: readonly CompetitionOption[];
  onAction(action: VmAction): void;
  hasConsole: boolean;
  consoleOpen: boolean;
  onToggleConsole(): void;
}) {
  const [competitionId, setCompetitionId] = useState('');
  // Terminating deletes the instance, so it takes a second click (like Launch).
  const [confirmTerminate, setConfirmTerminate] = useState(false);
  const selectId = useId();
  const busy = (kind: VmAction['kind']) => busyWith === kind;

  return (
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
          {availability.recover && (
            <ActionButton
              label="Recover"
              variant="btn-primary"
              busy={busy('recover')}
              disabled={inFlight}
              onClick={() => onAction({ kind: 'recover' })}
              title="Try the automatic recovery now, and count its attempts from zero again"
            />
          )}
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
                disabled={inFlight || competitionOptions.length === 0}
                onChange={(event) => setCompetitionId(event.target.value)}
              >
                <option value="">
                  {competitionOptions.length === 0 ? 'No competition without VM' : 'Competition…'}
                </option>
                {competitionOptions.map((option) => (
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
      {isAdmin && (hasConsole || availability.terminate) && (
        // Rarely used: the console, and (kept apart from everyday actions) Terminate.
        <div className="vm-card-actions-row">
          {hasConsole && (
            <button
              type="button"
              className="btn btn-small btn-link flush"
              aria-expanded={consoleOpen}
              onClick={onToggleConsole}
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
  );
}
