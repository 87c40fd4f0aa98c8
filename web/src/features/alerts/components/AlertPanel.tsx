/**
 * Alerts grouped by level with per-alert and bulk acknowledgement (PRD P17-04).
 */
import type { AlertLevel } from '@vmpool/core';
import { useId, useState } from 'react';
import { Spinner } from '../../../components/StateBox';
import { formatAgo } from '../../../lib/format';
import type { ScopedAlert } from '../api/alerts';

export const LEVEL_TEXT: Readonly<Record<AlertLevel, { title: string; tone: string }>> = {
  critical: { title: 'Critical', tone: 'red' },
  warning: { title: 'Warnings', tone: 'yellow' },
  info: { title: 'Info', tone: 'blue' },
};

const LEVELS: readonly AlertLevel[] = ['critical', 'warning', 'info'];

export interface AlertPanelProps {
  alerts: readonly ScopedAlert[];
  now: number;
  onAcknowledge(alertId: string): Promise<void>;
  onAcknowledgeAll(): Promise<void>;
  /** Which levels to list; the page may show critical ones in a banner instead. */
  levels?: readonly AlertLevel[];
  title?: string;
  collapsible?: boolean;
  defaultOpen?: boolean;
  className?: string;
  /** Shows the scope (competition or pool) beside each alert. */
  showScope?: boolean;
  /** Whether this user may acknowledge an alert (producers may not acknowledge pool alerts). */
  canAcknowledge?: (alert: ScopedAlert) => boolean;
}

export function AlertItem({
  alert,
  now,
  onAcknowledge,
  showScope = false,
  canAcknowledge = true,
}: {
  alert: ScopedAlert;
  now: number;
  onAcknowledge(alertId: string): Promise<void>;
  showScope?: boolean;
  canAcknowledge?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const acknowledge = () => {
    setBusy(true);
    setError(null);
    onAcknowledge(alert.id)
      .catch((failure: unknown) =>
        setError(failure instanceof Error ? failure.message : String(failure)),
      )
      .finally(() => setBusy(false));
  };
  return (
    <li
      className="alert-item"
      data-level={alert.level}
      data-acknowledged={alert.acknowledged}
      aria-label={`${alert.level} alert: ${alert.title}`}
    >
      <div className="alert-text">
        <strong>{alert.title}</strong>
        <p>{alert.message}</p>
        <span className="alert-meta">
          {alert.category} · {formatAgo(alert.timestamp, now)}
          {alert.vmId !== undefined && alert.vmId !== null && <> · {alert.vmId}</>}
          {showScope && <> · {alert.scope === 'pool' ? 'pool' : alert.scope}</>}
          {alert.acknowledged && <> · acknowledged</>}
        </span>
        {error !== null && (
          <span className="field-error" role="alert">
            {error}
          </span>
        )}
      </div>
      {!alert.acknowledged && canAcknowledge && (
        <button
          type="button"
          className="btn btn-small"
          onClick={acknowledge}
          disabled={busy}
          aria-busy={busy}
          aria-label="Acknowledge"
          title={`Acknowledge "${alert.title}"`}
        >
          {busy && <Spinner />}
          Acknowledge
        </button>
      )}
    </li>
  );
}

export function AlertPanel({
  alerts,
  now,
  onAcknowledge,
  onAcknowledgeAll,
  levels = LEVELS,
  title = 'Alerts',
  collapsible = true,
  defaultOpen = true,
  className = '',
  showScope = false,
  canAcknowledge = () => true,
}: AlertPanelProps) {
  // Follows defaultOpen (e.g. "open while there are warnings") until the user toggles it.
  const [userOpen, setUserOpen] = useState<boolean | null>(null);
  const open = userOpen ?? defaultOpen;
  const [bulkBusy, setBulkBusy] = useState(false);
  const [bulkError, setBulkError] = useState<string | null>(null);
  const bodyId = useId();
  const listed = alerts.filter((alert) => levels.includes(alert.level));
  const unacknowledged = listed.filter((alert) => !alert.acknowledged).length;
  const acknowledgeable = listed.filter(
    (alert) => !alert.acknowledged && canAcknowledge(alert),
  ).length;

  const acknowledgeAll = () => {
    setBulkBusy(true);
    setBulkError(null);
    onAcknowledgeAll()
      .catch((failure: unknown) =>
        setBulkError(failure instanceof Error ? failure.message : String(failure)),
      )
      .finally(() => setBulkBusy(false));
  };

  return (
    <section className={`panel ${className}`} aria-label={title}>
      <div className="panel-head">
        {collapsible ? (
          <button
            type="button"
            className="panel-toggle"
            aria-expanded={open}
            aria-controls={bodyId}
            onClick={() => setUserOpen(!open)}
          >
            <span className="chevron" data-open={open} aria-hidden="true">
              ▸
            </span>
            {title}
            <span
              className="alert-count"
              data-level={
                unacknowledged === 0
                  ? 'none'
                  : (listed.find((a) => !a.acknowledged)?.level ?? 'none')
              }
            >
              {unacknowledged}
            </span>
          </button>
        ) : (
          <h2>{title}</h2>
        )}
        {acknowledgeable > 0 && (
          <button
            type="button"
            className="btn btn-small"
            onClick={acknowledgeAll}
            disabled={bulkBusy}
            aria-busy={bulkBusy}
          >
            {bulkBusy && <Spinner />}
            Acknowledge all
          </button>
        )}
      </div>
      {(open || !collapsible) && (
        <div id={bodyId}>
          {bulkError !== null && (
            <div className="callout callout-error" role="alert" style={{ margin: 10 }}>
              {bulkError}
            </div>
          )}
          {listed.length === 0 ? (
            <div className="state-box compact">No active alerts. All quiet.</div>
          ) : (
            levels.map((level) => {
              const group = listed.filter((alert) => alert.level === level);
              if (group.length === 0) return null;
              return (
                <div
                  key={level}
                  className="alert-group"
                  role="group"
                  aria-label={`${LEVEL_TEXT[level].title} alerts`}
                >
                  <h3>
                    <span className={`dot dot-${LEVEL_TEXT[level].tone}`} aria-hidden="true" />
                    {LEVEL_TEXT[level].title} ({group.length})
                  </h3>
                  <ul className="alert-list">
                    {group.map((alert) => (
                      <AlertItem
                        key={`${alert.scope}/${alert.id}`}
                        alert={alert}
                        now={now}
                        onAcknowledge={onAcknowledge}
                        showScope={showScope}
                        canAcknowledge={canAcknowledge(alert)}
                      />
                    ))}
                  </ul>
                </div>
              );
            })
          )}
        </div>
      )}
    </section>
  );
}
