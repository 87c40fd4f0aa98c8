import type { Database } from 'firebase-admin/database';
import { parseAssignmentLock } from '../assignment-lock';
import type { AssignmentLock, LockStore } from '../pool-store';
import { isRecord, toRtdbValue } from '../rtdb-values';
import { internalPaths } from './internal-paths';
import { guardedTransaction } from './transaction';

/** Each competition's single assignment slot (`vmPool/assignments/{competitionId}`). */
export function rtdbLockStore(db: Database): LockStore {
  const ref = (path: string) => db.ref(path);
  const read = async (path: string): Promise<unknown> => (await ref(path).get()).val() as unknown;

  return {
    async getLock(competitionId) {
      return parseAssignmentLock(
        competitionId,
        await read(internalPaths.assignment(competitionId)),
      );
    },

    async updateLock(competitionId, change) {
      const { value } = await guardedTransaction(
        ref(internalPaths.assignment(competitionId)),
        (current) => {
          const next = change(parseAssignmentLock(competitionId, current));
          if (next === undefined) return undefined;
          return next === null ? null : toRtdbValue(next);
        },
      );
      return parseAssignmentLock(competitionId, value);
    },

    async listLocks(): Promise<AssignmentLock[]> {
      const raw = await read(internalPaths.assignments());
      return Object.entries(isRecord(raw) ? raw : {})
        .map(([competitionId, value]) => parseAssignmentLock(competitionId, value))
        .filter((lock): lock is AssignmentLock => lock !== null);
    },
  };
}
