import type { Database } from 'firebase-admin/database';
import type { PoolStore } from './pool-store';
import { rtdbAlertStore } from './rtdb/alerts';
import { rtdbAuditStore } from './rtdb/audit';
import { rtdbCommandStore } from './rtdb/commands';
import { rtdbCompetitionStore } from './rtdb/competitions';
import { rtdbLockStore } from './rtdb/locks';
import { rtdbRequestStore } from './rtdb/requests';
import { rtdbSummaryStore } from './rtdb/summary';
import { rtdbVmStore } from './rtdb/vms';

/**
 * PoolStore over the firebase-admin SDK (rules bypassed, as in Cloud Functions), one part per
 * concern in `store/rtdb/`; every read-modify-write there is a `guardedTransaction`.
 */
export function createRtdbPoolStore(db: Database): PoolStore {
  return {
    ...rtdbVmStore(db),
    ...rtdbSummaryStore(db),
    ...rtdbRequestStore(db),
    ...rtdbCompetitionStore(db),
    ...rtdbLockStore(db),
    ...rtdbCommandStore(db),
    ...rtdbAlertStore(db),
    ...rtdbAuditStore(db),
  };
}
