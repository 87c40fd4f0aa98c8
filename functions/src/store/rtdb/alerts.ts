import type { Database } from 'firebase-admin/database';
import { parseAlert, paths, type Alert } from '@vmpool/core';
import type { AlertStore } from '../pool-store';
import { isRecord, toRtdbValue } from '../rtdb-values';
import { internalPaths } from './internal-paths';
import { guardedTransaction } from './transaction';

/** Alerts, deduplicated by sourceId through `vmPool/alertIndex/{scope}/{sourceId}`. */
export function rtdbAlertStore(db: Database): AlertStore {
  const ref = (path: string) => db.ref(path);
  const read = async (path: string): Promise<unknown> => (await ref(path).get()).val() as unknown;

  /** Every unresolved alert's index entry: scope, sourceId and alert id. */
  async function listAlertSources() {
    const raw = await read(internalPaths.alertIndex());
    const sources: { scope: string; sourceId: string; alertId: string }[] = [];
    for (const [scope, entries] of Object.entries(isRecord(raw) ? raw : {})) {
      for (const [sourceId, alertId] of Object.entries(isRecord(entries) ? entries : {})) {
        if (typeof alertId === 'string') sources.push({ scope, sourceId, alertId });
      }
    }
    return sources;
  }

  return {
    async raiseAlert(scope, alert: Alert) {
      const indexRef = ref(internalPaths.alertIndexEntry(scope, alert.sourceId));
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const { committed, value } = await guardedTransaction(indexRef, (current) =>
          current === null ? alert.id : undefined,
        );
        const alertId = typeof value === 'string' ? value : alert.id;
        if (committed) {
          await ref(paths.alert(scope, alertId)).set(toRtdbValue({ ...alert, id: alertId }));
          return { created: true, alertId };
        }
        const existing = await read(paths.alert(scope, alertId));
        if (existing === null) {
          // The index was written but the alert was not (a crash in between): finish it.
          await ref(paths.alert(scope, alertId)).set(toRtdbValue({ ...alert, id: alertId }));
          return { created: true, alertId };
        }
        if (!(isRecord(existing) && existing.resolved === true)) {
          return { created: false, alertId };
        }
        // The alert was resolved but its index entry survived: drop the stale entry and retry.
        await guardedTransaction(indexRef, (current) => (current === alertId ? null : undefined));
      }
      throw new Error(`alert ${scope}/${alert.sourceId}: index kept changing, not raised`);
    },

    async resolveAlert(scope, sourceId, now) {
      const indexRef = ref(internalPaths.alertIndexEntry(scope, sourceId));
      const alertId = (await indexRef.get()).val() as unknown;
      if (typeof alertId !== 'string') return false;
      const alertRef = ref(paths.alert(scope, alertId));
      if ((await alertRef.get()).exists()) {
        await alertRef.update({ resolved: true, resolvedAt: now });
      }
      await guardedTransaction(indexRef, (current) => (current === alertId ? null : undefined));
      return true;
    },

    async acknowledgeAlert(scope, alertId, by, now) {
      const alertRef = ref(paths.alert(scope, alertId));
      if (!(await alertRef.get()).exists()) return false;
      await alertRef.update({ acknowledged: true, acknowledgedBy: by, acknowledgedAt: now });
      return true;
    },

    async listActiveAlerts(scope) {
      // Through the index of unresolved alerts: the alert history itself only ever grows.
      const indexed = await listAlertSources();
      const wanted = indexed.filter((entry) => scope === undefined || entry.scope === scope);
      const alerts = await Promise.all(
        wanted.map(async (entry) => {
          const parsed = parseAlert(await read(paths.alert(entry.scope, entry.alertId)));
          return parsed.ok && !parsed.value.resolved
            ? { ...parsed.value, scope: entry.scope }
            : null;
        }),
      );
      return alerts
        .filter((alert): alert is Alert & { scope: string } => alert !== null)
        .sort((a, b) => b.createdAt - a.createdAt);
    },

    listAlertSources,
  };
}
