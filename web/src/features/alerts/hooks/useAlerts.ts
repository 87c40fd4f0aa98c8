import { ALERT_LEVELS, POOL_ALERT_SCOPE, type AlertLevel } from '@vmpool/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSession } from '../../../lib/session';
import {
  acknowledgeAlert as writeAcknowledgement,
  watchAlerts,
  type ScopedAlert,
} from '../api/alerts';

export interface AlertsView {
  /** Unresolved alerts: unacknowledged first, then by level (critical first), newest first. */
  alerts: ScopedAlert[];
  /** Counts of unresolved, unacknowledged alerts per level: what still needs attention. */
  criticalCount: number;
  warningCount: number;
  infoCount: number;
  hasUnacknowledgedCritical: boolean;
  isLoading: boolean;
  error: string | null;
  /** Admins may acknowledge any alert; producers their competitions' alerts, not pool ones. */
  canAcknowledge(alert: ScopedAlert): boolean;
  acknowledgeAlert(alertId: string): Promise<void>;
  /** Acknowledges every unacknowledged alert in view that this user may acknowledge. */
  acknowledgeAll(): Promise<void>;
}

function levelRank(level: AlertLevel): number {
  return ALERT_LEVELS.indexOf(level);
}

export function sortAlerts(alerts: readonly ScopedAlert[]): ScopedAlert[] {
  return [...alerts].sort(
    (a, b) =>
      Number(a.acknowledged) - Number(b.acknowledged) ||
      levelRank(a.level) - levelRank(b.level) ||
      b.timestamp - a.timestamp,
  );
}

function needsAttention(alert: ScopedAlert): boolean {
  return !alert.resolved && !alert.acknowledged;
}

/**
 * Alerts of one scope or several (a competition id, `pool`), live. Acknowledging writes the
 * acknowledgement fields only.
 */
export function useAlerts(scopeOrScopes: string | readonly string[]): AlertsView {
  const { db, user } = useSession();
  // A stable key so callers may pass a fresh array literal on every render.
  const scopeKey = (typeof scopeOrScopes === 'string' ? [scopeOrScopes] : [...scopeOrScopes]).join(
    '\n',
  );
  const [byScope, setByScope] = useState<Record<string, ScopedAlert[]>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    const scopes = scopeKey === '' ? [] : [...new Set(scopeKey.split('\n'))];
    const stops = scopes.map((scope) =>
      watchAlerts(
        db,
        scope,
        (alerts) => {
          setByScope((current) => ({ ...current, [scope]: alerts }));
          setErrors(({ [scope]: _cleared, ...rest }) => rest);
        },
        (message) => setErrors((current) => ({ ...current, [scope]: message })),
      ),
    );
    return () => stops.forEach((stop) => stop());
  }, [db, scopeKey]);

  const scopes = useMemo(
    () => (scopeKey === '' ? [] : [...new Set(scopeKey.split('\n'))]),
    [scopeKey],
  );
  const alerts = useMemo(
    () =>
      sortAlerts(
        scopes.flatMap((scope) => byScope[scope] ?? []).filter((alert) => !alert.resolved),
      ),
    [byScope, scopes],
  );
  const pending = alerts.filter(needsAttention);
  const count = (level: AlertLevel) => pending.filter((alert) => alert.level === level).length;

  const isAdmin = user.roles.admin;
  const canAcknowledge = useCallback(
    (alert: ScopedAlert) => isAdmin || alert.scope !== POOL_ALERT_SCOPE,
    [isAdmin],
  );

  const acknowledgeAlert = useCallback(
    async (alertId: string) => {
      const alert = alerts.find((candidate) => candidate.id === alertId);
      if (alert === undefined) throw new Error(`No alert ${alertId} in view`);
      await writeAcknowledgement(db, alert.scope, alert.id, user.uid);
    },
    [alerts, db, user.uid],
  );

  const acknowledgeAll = useCallback(async () => {
    await Promise.all(
      alerts
        .filter((alert) => !alert.acknowledged && canAcknowledge(alert))
        .map((alert) => writeAcknowledgement(db, alert.scope, alert.id, user.uid)),
    );
  }, [alerts, canAcknowledge, db, user.uid]);

  const firstError = scopes.map((scope) => errors[scope]).find((error) => error !== undefined);
  return {
    alerts,
    criticalCount: count('critical'),
    warningCount: count('warning'),
    infoCount: count('info'),
    hasUnacknowledgedCritical: count('critical') > 0,
    isLoading: firstError === undefined && scopes.some((scope) => byScope[scope] === undefined),
    error: firstError ?? null,
    canAcknowledge,
    acknowledgeAlert,
    acknowledgeAll,
  };
}
