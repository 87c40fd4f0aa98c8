import { useEffect, useRef } from 'react';
import { playCriticalTone } from '../lib/alertTone';

/** Plays the alarm once for each critical alert that appears unacknowledged while open. */
export function useCriticalTone(
  alerts: readonly { id: string; scope: string; level: string; acknowledged: boolean }[],
  enabled: boolean,
  ready: boolean,
) {
  const known = useRef<Set<string> | null>(null);
  useEffect(() => {
    // The alerts present at load are the backlog, not news.
    if (!ready) return;
    const critical = alerts
      .filter((alert) => alert.level === 'critical' && !alert.acknowledged)
      .map((alert) => `${alert.scope}/${alert.id}`);
    const previous = known.current;
    known.current = new Set(critical);
    if (previous === null || !enabled) return;
    if (critical.some((key) => !previous.has(key))) playCriticalTone();
  }, [alerts, enabled, ready]);
}
