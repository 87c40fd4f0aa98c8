/**
 * A pool request's progress as the control plane reports it: state, current step, the step
 * list, a progress bar and, for cold starts, when the VM should be ready.
 */
import type { RequestResult } from '@vmpool/core';
import { Spinner } from '../../../components/StateBox';
import { formatClock, formatDuration } from '../../../lib/format';
import { hasFailed, hasSucceeded, isFinished } from '../lib/requestState';

const STEP_ICONS = { pending: '○', running: '…', done: '✓', failed: '✕' } as const;

export interface RequestProgressProps {
  /** What was asked, in words: "Assign VM", "Start vm-003". */
  title: string;
  /** null while queued: the control plane has not picked the request up yet. */
  result: RequestResult | null;
  now: number;
  error?: string | null;
  onDismiss?: () => void;
}

export function RequestProgress({
  title,
  result,
  now,
  error = null,
  onDismiss,
}: RequestProgressProps) {
  const state = result?.state ?? 'queued';
  const succeeded = hasSucceeded(result);
  const failed = hasFailed(result);
  const finished = isFinished(result);
  const reached = Math.round(Math.min(1, Math.max(0, result?.progress ?? 0)) * 100);
  // A finished request is complete whatever progress its last update reported.
  const percent = succeeded ? 100 : reached;
  const remaining =
    result?.estimatedReadyAt !== undefined && result.estimatedReadyAt !== null && !finished
      ? result.estimatedReadyAt - now
      : null;
  const summary =
    result === null
      ? 'Waiting for the control plane…'
      : failed
        ? (result.error?.message ?? (result.message || 'Failed'))
        : result.message || result.step;

  return (
    <div
      className="progress"
      data-state={state}
      data-final={finished ? 'true' : undefined}
      aria-live="polite"
    >
      <div className="progress-head">
        <strong>
          {!finished && <Spinner />} {title}
        </strong>
        <span className={failed ? 'field-error' : 'muted'}>
          {succeeded ? 'Done' : failed ? 'Failed' : `${percent}%`}
        </span>
      </div>
      <div
        className="progress-bar"
        role="progressbar"
        aria-label={`${title} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={
          succeeded
            ? 'done'
            : failed
              ? `failed at ${percent}%${result?.step ? ` (${result.step})` : ''}`
              : `${percent}% ${result?.step || state}`
        }
      >
        {/* Keyed by finality: the final bar is a fresh element, so no transition runs from
            the last running width and a screenshot never catches it part-filled. */}
        <span
          key={finished ? 'final' : 'running'}
          style={finished ? { width: '100%', transition: 'none' } : { width: `${percent}%` }}
        />
      </div>
      <div className={failed ? 'field-error' : 'muted'} style={{ fontSize: 12.5 }}>
        {summary}
        {failed && result?.error !== undefined && <> ({result.error.code})</>}
        {remaining !== null && result?.estimatedReadyAt != null && (
          <>
            {' · '}
            {remaining > 0
              ? `ready in about ${formatDuration(remaining)} (${formatClock(result.estimatedReadyAt)})`
              : 'should be ready any moment'}
          </>
        )}
      </div>
      {result?.steps !== undefined && result.steps.length > 0 && (
        <ol className="steps" aria-label={`${title} steps`}>
          {result.steps.map((step) => (
            <li key={step.name} data-state={step.state}>
              <span className="step-icon" aria-hidden="true">
                {STEP_ICONS[step.state]}
              </span>
              <span>{step.name}</span>
              <span className="visually-hidden">({step.state})</span>
            </li>
          ))}
        </ol>
      )}
      {error !== null && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
      {finished && onDismiss !== undefined && (
        <button type="button" className="btn btn-small btn-link flush" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
