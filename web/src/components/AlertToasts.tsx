/**
 * Info alerts as toasts that disappear after 10 s (PRD 11.4). Only alerts that arrive while
 * the page is open are toasted, not the backlog present at load.
 */
import { useEffect, useRef, useState } from 'react';
import type { ScopedAlert } from '../data/alerts';

export const TOAST_MS = 10_000;

export function AlertToasts({ alerts, ready }: { alerts: readonly ScopedAlert[]; ready: boolean }) {
  const seen = useRef<Set<string> | null>(null);
  const [toasts, setToasts] = useState<ScopedAlert[]>([]);

  useEffect(() => {
    if (!ready) return;
    const keyOf = (alert: ScopedAlert) => `${alert.scope}/${alert.id}`;
    if (seen.current === null) {
      seen.current = new Set(alerts.map(keyOf));
      return;
    }
    const known = seen.current;
    const fresh = alerts.filter(
      (alert) => alert.level === 'info' && !alert.acknowledged && !known.has(keyOf(alert)),
    );
    for (const alert of alerts) known.add(keyOf(alert));
    if (fresh.length > 0) setToasts((current) => [...current, ...fresh]);
  }, [alerts, ready]);

  useEffect(() => {
    if (toasts.length === 0) return;
    const timer = window.setTimeout(() => setToasts((current) => current.slice(1)), TOAST_MS);
    return () => window.clearTimeout(timer);
  }, [toasts]);

  if (toasts.length === 0) return null;
  return (
    <div className="toasts" role="region" aria-label="Notifications">
      {toasts.map((toast) => (
        <div key={`${toast.scope}/${toast.id}`} className="toast" role="status">
          <div>
            <strong>{toast.title}</strong>
            <p>{toast.message}</p>
          </div>
          <button
            type="button"
            className="btn btn-small"
            aria-label={`Dismiss ${toast.title}`}
            onClick={() => setToasts((current) => current.filter((item) => item !== toast))}
          >
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
