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
import { orderWrites } from './rtdb/write-order';

/**
 * PoolStore over the firebase-admin SDK (rules bypassed, as in Cloud Functions), one part per
 * concern in `store/rtdb/`; every read-modify-write there is a `guardedTransaction`. Its writes
 * never abort its own transactions in flight (`orderWrites`: two such writes could leave a
 * transaction never settling).
 */
export function createRtdbPoolStore(raw: Database, clock: Clock): PoolStore {
  const db = orderWrites(raw);
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
