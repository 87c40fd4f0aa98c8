import type { Database } from 'firebase-admin/database';
import type { Clock } from '@vmpool/core/ports';
import { migrateAgentPulse } from './migrations/agent-pulse';
import type { PoolStore } from './pool-store';
import { rtdbAlertStore } from './rtdb/alerts';
import { rtdbAuditStore } from './rtdb/audit';
import { rtdbCommandStore } from './rtdb/commands';
import { rtdbCompetitionStore } from './rtdb/competitions';
import { rtdbFailoverStore } from './rtdb/failovers';
import { rtdbLockStore } from './rtdb/locks';
import { rtdbPreviewStore } from './rtdb/previews';
import { rtdbRequestStore } from './rtdb/requests';
import { rtdbScheduleStore } from './rtdb/schedule';
import { rtdbSummaryStore } from './rtdb/summary';
import { rtdbVmStore } from './rtdb/vms';

/**
 * PoolStore over the firebase-admin SDK (rules bypassed, as in Cloud Functions), one part per
 * concern in `store/rtdb/`; every read-modify-write there is a `guardedTransaction`.
 */
export function createRtdbPoolStore(db: Database, clock: Clock): PoolStore {
  return {
    ...rtdbVmStore(db, clock),
    ...rtdbSummaryStore(db),
    ...rtdbRequestStore(db),
    ...rtdbCompetitionStore(db),
    ...rtdbLockStore(db),
    ...rtdbCommandStore(db),
    ...rtdbAlertStore(db),
    ...rtdbAuditStore(db),
    ...rtdbScheduleStore(db),
    ...rtdbFailoverStore(db),
    ...rtdbPreviewStore(db),
    migrateAgentPulse: (now) => migrateAgentPulse(db, now),
  };
}
