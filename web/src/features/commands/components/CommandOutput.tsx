/** The live output of one queued command, as the agent reports it. */
import { isFinalCommandStatus, type VmCommand } from '@vmpool/core';
import { useEffect, useRef } from 'react';
import { formatDuration } from '../../../lib/format';

const STATUS_TEXT: Readonly<Record<VmCommand['status'], string>> = {
  queued: 'queued, waiting for the agent',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  timed_out: 'timed out',
  rejected: 'rejected by the agent',
  expired: 'expired before the agent picked it up',
};

export function commandStatusText(command: VmCommand): string {
  return STATUS_TEXT[command.status];
}

export function CommandOutput({
  label,
  command,
  error,
}: {
  label: string;
  command: VmCommand | null;
  error: string | null;
}) {
  const logRef = useRef<HTMLPreElement>(null);
  const stdout = command?.output?.stdout ?? '';
  const stderr = command?.output?.stderr ?? '';

  // Follow the tail like a terminal while output grows.
  useEffect(() => {
    const element = logRef.current;
    if (element !== null) element.scrollTop = element.scrollHeight;
  }, [stdout, stderr]);

  const final = command !== null && isFinalCommandStatus(command.status);
  return (
    <pre className="console-log" role="log" aria-label={label} aria-live="polite" ref={logRef}>
      {command === null && error === null && <span className="meta">No command run yet.</span>}
      {command !== null && (
        <span className="meta">
          $ {command.op}
          {Object.keys(command.args).length > 0 && ` ${JSON.stringify(command.args)}`} —{' '}
          {commandStatusText(command)}
          {'\n'}
        </span>
      )}
      {command?.output?.truncated === true && (
        <span className="meta">… (earlier output truncated){'\n'}</span>
      )}
      {stdout}
      {stderr !== '' && <span className="stderr">{stderr}</span>}
      {final && (
        <span className="meta">
          {'\n'}[{commandStatusText(command)}
          {command.exitCode !== null && `, exit code ${command.exitCode}`}
          {command.durationMs !== null && `, ${formatDuration(command.durationMs)}`}
          {command.reason !== null && `: ${command.reason}`}]
        </span>
      )}
      {error !== null && <span className="stderr">{error}</span>}
    </pre>
  );
}
