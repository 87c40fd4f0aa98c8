/**
 * A pool request's progress as the control plane reports it: state, current step, the step
 * list, a progress bar and, for cold starts, when the VM should be ready.
 */
import type { RequestResult } from '@vmpool/core';
import { formatClock, formatDuration } from '../lib/format';
import { Spinner } from './StateBox';

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

export function isFinished(result: RequestResult | null): boolean {
  return result !== null && (result.state === 'succeeded' || result.state === 'failed');
}

export function RequestProgress({
  title,
  result,
  now,
  error = null,
  onDismiss,
}: RequestProgressProps) {
  const state = result?.state ?? 'queued';
  const percent = Math.round(Math.min(1, Math.max(0, result?.progress ?? 0)) * 100);
  const finished = isFinished(result);
  const remaining =
    result?.estimatedReadyAt !== undefined && result.estimatedReadyAt !== null && !finished
      ? result.estimatedReadyAt - now
      : null;
  const summary =
    state === 'queued'
      ? 'Waiting for the control plane…'
      : state === 'failed'
        ? (result?.error?.message ?? result?.message ?? 'Failed')
        : (result?.message ?? result?.step ?? '');

  return (
    <div className="progress" data-state={state} aria-live="polite">
      <div className="progress-head">
        <strong>
          {!finished && <Spinner />} {title}
        </strong>
        <span className={state === 'failed' ? 'field-error' : 'muted'}>
          {state === 'succeeded' ? 'Done' : state === 'failed' ? 'Failed' : `${percent}%`}
        </span>
      </div>
      <div
        className="progress-bar"
        role="progressbar"
        aria-label={`${title} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent}% ${result?.step ?? state}`}
      >
        <span style={{ width: `${state === 'succeeded' ? 100 : percent}%` }} />
      </div>
      <div className={state === 'failed' ? 'field-error' : 'muted'} style={{ fontSize: 12.5 }}>
        {summary}
        {state === 'failed' && result?.error !== undefined && result.error !== null && (
          <> ({result.error.code})</>
        )}
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
        <div>
          <button type="button" className="btn btn-small btn-link" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
