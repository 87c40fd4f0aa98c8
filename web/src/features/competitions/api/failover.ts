/**
 * A competition's failover (`vmPool/failovers/{compId}`, issue 12): what the control plane
 * does about a show VM that failed. Read by the competition's producers and admins.
 */
import { parseFailoverRecord, paths, type FailoverRecord } from '@vmpool/core';
import type { Database } from 'firebase/database';
import { watchValue, type Unsubscribe } from '../../../lib/rtdb';

export function watchFailover(
  db: Database,
  competitionId: string,
  onData: (record: FailoverRecord | null) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return watchValue(
    db,
    paths.failover(competitionId),
    (raw) => {
      if (raw === null || raw === undefined) return onData(null);
      const parsed = parseFailoverRecord(raw);
      if (parsed.ok) onData(parsed.value);
      else onError(`The failover record is unreadable: ${parsed.errors.join('; ')}`);
    },
    onError,
  );
}
