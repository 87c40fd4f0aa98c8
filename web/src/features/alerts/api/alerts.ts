/** Alerts at `alerts/{scope}/{alertId}`; scope is a competition id or `pool`. */
import { parseAlert, paths, type Alert } from '@vmpool/core';
import type { Database } from 'firebase/database';
import { serverTimestamp, updateValues, watchValue, type Unsubscribe } from '../../../lib/rtdb';

/** An alert together with the scope it was read from, which acknowledging needs. */
export type ScopedAlert = Alert & { scope: string };

export function alertsFromSnapshot(scope: string, raw: unknown): ScopedAlert[] {
  if (typeof raw !== 'object' || raw === null) return [];
  const alerts: ScopedAlert[] = [];
  for (const [alertId, value] of Object.entries(raw as Record<string, unknown>)) {
    const parsed = parseAlert({
      ...(typeof value === 'object' && value !== null ? value : {}),
      id: alertId,
    });
    if (parsed.ok) alerts.push({ ...parsed.value, scope });
  }
  return alerts;
}

export function watchAlerts(
  db: Database,
  scope: string,
  onData: (alerts: ScopedAlert[]) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return watchValue(
    db,
    paths.alerts(scope),
    (raw) => onData(alertsFromSnapshot(scope, raw)),
    onError,
  );
}

/** Writes only the acknowledgement fields, which is all a client may change. */
export async function acknowledgeAlert(
  db: Database,
  scope: string,
  alertId: string,
  uid: string,
): Promise<void> {
  await updateValues(db, paths.alert(scope, alertId), {
    acknowledged: true,
    acknowledgedBy: uid,
    acknowledgedAt: serverTimestamp(),
  });
}
