import type { Database } from 'firebase-admin/database';
import { parseFailoverRecord, parseStateExport, paths, type FailoverRecord } from '@vmpool/core';
import type { FailoverStore } from '../pool-store';
import { isRecord, toRtdbValue } from '../rtdb-values';
import { guardedTransaction } from './transaction';

function parsedOrNull(raw: unknown): FailoverRecord | null {
  if (raw === null || raw === undefined) return null;
  const parsed = parseFailoverRecord(raw);
  return parsed.ok ? parsed.value : null;
}

/** Each competition's failover (`vmPool/failovers/{compId}`, issue 12). */
export function rtdbFailoverStore(db: Database): FailoverStore {
  const ref = (path: string) => db.ref(path);

  return {
    async getFailover(competitionId) {
      return parsedOrNull((await ref(paths.failover(competitionId)).get()).val());
    },

    async updateFailover(competitionId, change) {
      const { value } = await guardedTransaction(ref(paths.failover(competitionId)), (current) => {
        const next = change(parsedOrNull(current));
        if (next === undefined) return undefined;
        return next === null ? null : toRtdbValue(next);
      });
      return parsedOrNull(value);
    },

    async listFailovers() {
      const raw = (await ref(paths.failovers()).get()).val() as unknown;
      return Object.values(isRecord(raw) ? raw : {})
        .map(parsedOrNull)
        .filter((record): record is FailoverRecord => record !== null);
    },

    async createRequest(requestId, value) {
      const { committed } = await guardedTransaction(ref(paths.request(requestId)), (current) =>
        current === null ? toRtdbValue(value) : undefined,
      );
      return committed;
    },

    async getStateExport(competitionId) {
      const raw = (await ref(paths.stateExport(competitionId)).get()).val() as unknown;
      if (raw === null || raw === undefined) return null;
      const parsed = parseStateExport(raw);
      return parsed.ok ? parsed.value : null;
    },
  };
}
