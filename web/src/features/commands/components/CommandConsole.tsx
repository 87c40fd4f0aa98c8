/**
 * Queue any catalogue command on one VM, with its typed arguments, and watch its output live.
 * Quick-action buttons queue common commands in one click.
 */
import {
  COMMAND_OPS,
  LOG_UNITS,
  VIEW_LOGS_LINES,
  commandSpec,
  mayQueueCommand,
  parseCommandArgs,
  type CommandOp,
  type LogUnit,
} from '@vmpool/core';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Spinner } from '../../../components/StateBox';
import { useSession } from '../../../lib/session';
import { queueCommand, watchRecentCommands, type CommandSummary } from '../api/commands';
import { useCommand } from '../hooks/useCommand';
import { CommandOutput, commandStatusText } from './CommandOutput';

export interface QuickAction {
  op: CommandOp;
  label: string;
  args?: Record<string, unknown>;
}

export interface CommandConsoleProps {
  vmId: string;
  /** Default for ops that take a competition (archive_recordings). */
  competitionId?: string | null;
  quickActions?: readonly QuickAction[];
}

const ADMIN_OPS = COMMAND_OPS.filter((op) => mayQueueCommand(op, 'admin'));

interface ArgsDraft {
  unit: LogUnit;
  lines: string;
  competitionId: string;
}

function argsFor(op: CommandOp, draft: ArgsDraft): Record<string, unknown> {
  switch (op) {
    case 'view_logs':
      return { unit: draft.unit, lines: Number(draft.lines) };
    case 'archive_recordings':
      return { competitionId: draft.competitionId.trim() };
    default:
      return {};
  }
}

export function CommandConsole({
  vmId,
  competitionId = null,
  quickActions = [],
}: CommandConsoleProps) {
  const { db, user } = useSession();
  const [op, setOp] = useState<CommandOp>('check_services');
  const [draft, setDraft] = useState<ArgsDraft>({
    unit: 'showServer',
    lines: String(VIEW_LOGS_LINES.default),
    competitionId: competitionId ?? '',
  });
  const [argErrors, setArgErrors] = useState<string[]>([]);
  const [queueError, setQueueError] = useState<string | null>(null);
  const [queueing, setQueueing] = useState(false);
  const [commandId, setCommandId] = useState<string | null>(null);
  const [history, setHistory] = useState<CommandSummary[]>([]);
  const current = useCommand(vmId, commandId);
  const idPrefix = useId();

  useEffect(
    () => watchRecentCommands(db, vmId, 8, setHistory, (message) => setQueueError(message)),
    [db, vmId],
  );

  const run = async (runOp: CommandOp, args: Record<string, unknown>) => {
    const checked = parseCommandArgs(runOp, args);
    if (!checked.ok) {
      setArgErrors(checked.errors);
      return;
    }
    setArgErrors([]);
    setQueueError(null);
    setQueueing(true);
    try {
      setCommandId(await queueCommand(db, user.uid, vmId, runOp, args));
    } catch (error) {
      setQueueError(error instanceof Error ? error.message : String(error));
    } finally {
      setQueueing(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(op, argsFor(op, draft));
  };

  const opId = `${idPrefix}-op`;
  return (
    <div className="console" aria-label={`Command console for ${vmId}`} role="region">
      {quickActions.length > 0 && (
        <div className="btn-row" aria-label="Quick actions" role="group">
          {quickActions.map((action) => (
            <button
              key={action.label}
              type="button"
              className="btn btn-small"
              disabled={queueing}
              onClick={() => void run(action.op, action.args ?? {})}
            >
              {action.label}
            </button>
          ))}
        </div>
      )}
      <form className="console-form" onSubmit={submit} aria-label={`Queue a command on ${vmId}`}>
        <div className="field">
          <label htmlFor={opId}>Command</label>
          <select id={opId} value={op} onChange={(event) => setOp(event.target.value as CommandOp)}>
            {ADMIN_OPS.map((candidate) => (
              <option key={candidate} value={candidate}>
                {commandSpec(candidate).title}
              </option>
            ))}
          </select>
        </div>
        {op === 'view_logs' && (
          <>
            <div className="field">
              <label htmlFor={`${idPrefix}-unit`}>Unit</label>
              <select
                id={`${idPrefix}-unit`}
                value={draft.unit}
                onChange={(event) => setDraft({ ...draft, unit: event.target.value as LogUnit })}
              >
                {LOG_UNITS.map((unit) => (
                  <option key={unit} value={unit}>
                    {unit}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${idPrefix}-lines`}>Lines</label>
              <input
                id={`${idPrefix}-lines`}
                inputMode="numeric"
                style={{ width: 80 }}
                value={draft.lines}
                onChange={(event) => setDraft({ ...draft, lines: event.target.value })}
              />
            </div>
          </>
        )}
        {op === 'archive_recordings' && (
          <div className="field">
            <label htmlFor={`${idPrefix}-competition`}>Competition id</label>
            <input
              id={`${idPrefix}-competition`}
              value={draft.competitionId}
              onChange={(event) => setDraft({ ...draft, competitionId: event.target.value })}
            />
          </div>
        )}
        <button type="submit" className="btn btn-primary" disabled={queueing} aria-busy={queueing}>
          {queueing && <Spinner />}
          Run
        </button>
      </form>
      <p className="field-hint" style={{ margin: 0 }}>
        {commandSpec(op).description}
        {commandSpec(op).disruptsShow && (
          <strong className="field-error"> · interrupts a live show on this VM</strong>
        )}
      </p>
      {argErrors.length > 0 && (
        <ul className="error-list" role="alert">
          {argErrors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}
      {queueError !== null && (
        <div className="callout callout-error" role="alert">
          {queueError}
        </div>
      )}
      <CommandOutput
        label={`Command output for ${vmId}`}
        command={current.command}
        error={current.error}
      />
      {history.length > 0 && (
        <div>
          <span className="field-label">Recent commands</span>
          <ul className="console-history">
            {history.map((entry) => (
              <li key={entry.commandId}>
                <button
                  type="button"
                  className="btn btn-small btn-link"
                  aria-pressed={entry.commandId === commandId}
                  onClick={() => setCommandId(entry.commandId)}
                >
                  {entry.command.op} · {commandStatusText(entry.command)}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
