/**
 * Info alerts as toasts that disappear 10 s after they appear (PRD 11.4). Only alerts that
 * arrive while the page is open are toasted, not the backlog present at load.
 */
import { useEffect, useRef, useState } from 'react';
import type { ScopedAlert } from '../api/alerts';

export const TOAST_MS = 10_000;

interface Toast {
  key: string;
  alert: ScopedAlert;
  expiresAt: number;
}

const keyOf = (alert: ScopedAlert) => `${alert.scope}/${alert.id}`;

export function AlertToasts({
  alerts,
  ready,
  clock = () => Date.now(),
}: {
  alerts: readonly ScopedAlert[];
  ready: boolean;
  clock?: () => number;
}) {
  const seen = useRef<Set<string> | null>(null);
  const [toasts, setToasts] = useState<Toast[]>([]);

  useEffect(() => {
    if (!ready) return;
    if (seen.current === null) {
      seen.current = new Set(alerts.map(keyOf));
      return;
    }
    const known = seen.current;
    const fresh = alerts.filter(
      (alert) => alert.level === 'info' && !alert.acknowledged && !known.has(keyOf(alert)),
    );
    for (const alert of alerts) known.add(keyOf(alert));
    if (fresh.length === 0) return;
    const expiresAt = clock() + TOAST_MS;
    setToasts((current) => [
      ...current,
      ...fresh.map((alert) => ({ key: keyOf(alert), alert, expiresAt })),
    ]);
  }, [alerts, clock, ready]);

  // One timer for the toast that expires first; it re-arms for the next one.
  useEffect(() => {
    if (toasts.length === 0) return;
    const next = Math.min(...toasts.map((toast) => toast.expiresAt));
    const timer = window.setTimeout(
      () => {
        const now = clock();
        setToasts((current) => current.filter((toast) => toast.expiresAt > now));
      },
      Math.max(0, next - clock()),
    );
    return () => window.clearTimeout(timer);
  }, [clock, toasts]);

  if (toasts.length === 0) return null;
  return (
    <div className="toasts" role="region" aria-label="Notifications">
      {toasts.map(({ key, alert }) => (
        <div key={key} className="toast" role="status">
          <div>
            <strong>{alert.title}</strong>
            <p>{alert.message}</p>
          </div>
          <button
            type="button"
            className="btn btn-small"
            aria-label={`Dismiss ${alert.title}`}
            onClick={() => setToasts((current) => current.filter((toast) => toast.key !== key))}
          >
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
