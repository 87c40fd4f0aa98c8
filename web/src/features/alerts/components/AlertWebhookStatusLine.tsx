/**
 * The alert webhook on the admin's pool page: when it last posted, and its last delivery error
 * (kept until the next one), so a broken Discord/Slack hook does not go unnoticed.
 */
import type { AlertWebhookStatus } from '@vmpool/core';
import { formatAgo } from '../../../lib/format';

export function AlertWebhookStatusLine({
  status,
  error,
  now,
}: {
  status: AlertWebhookStatus | null;
  error: string | null;
  now: number;
}) {
  if (error !== null) {
    return (
      <p className="field-error" role="alert" aria-label="Alert webhook">
        {error}
      </p>
    );
  }
  if (status === null) return null;
  const lastError = status.lastError;
  const failing =
    lastError !== null &&
    (status.lastDeliveredAt === null || lastError.at > status.lastDeliveredAt);
  return (
    <section
      className={failing ? 'panel alert-webhook failing' : 'panel alert-webhook'}
      role={failing ? 'alert' : 'status'}
      aria-label="Alert webhook"
    >
      <strong>Alert webhook</strong>{' '}
      {status.lastDeliveredAt === null
        ? 'has not delivered a post yet.'
        : `last delivered ${formatAgo(status.lastDeliveredAt, now)}.`}
      {lastError !== null && (
        <span className={failing ? 'field-error' : 'alert-meta'}>
          {' '}
          {failing ? 'Failing' : 'Last error'} {formatAgo(lastError.at, now)}: {lastError.message} (
          {lastError.event} post of alert {lastError.alertId} in {lastError.scope},{' '}
          {lastError.attempts} {lastError.attempts === 1 ? 'attempt' : 'attempts'}
          {lastError.gaveUp ? ', given up' : ', will retry'})
        </span>
      )}
    </section>
  );
}
