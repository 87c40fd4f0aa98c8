import type { ScopedAlert } from '../api/alerts';

/** Red banner at the top of the page while any critical alert is unacknowledged. */
export function CriticalAlertBanner({
  alerts,
  onAcknowledge,
  canAcknowledge,
}: {
  alerts: readonly ScopedAlert[];
  onAcknowledge(alertId: string): Promise<void>;
  canAcknowledge(alert: ScopedAlert): boolean;
}) {
  const critical = alerts.filter((alert) => alert.level === 'critical' && !alert.acknowledged);
  const first = critical[0];
  if (first === undefined) return null;
  return (
    <div className="alert-banner" role="alert" aria-label="Critical alert">
      <span className="banner-icon" aria-hidden="true">
        !
      </span>
      <span>
        <strong>{first.title}</strong> — {first.message}
        {critical.length > 1 && <> (+{critical.length - 1} more critical)</>}
      </span>
      {canAcknowledge(first) && (
        <button
          type="button"
          className="btn btn-small"
          onClick={() => void onAcknowledge(first.id)}
        >
          Acknowledge
        </button>
      )}
    </div>
  );
}
