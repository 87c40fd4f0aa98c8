import type { Database } from 'firebase-admin/database';
import { paths, type AuditEntry } from '@vmpool/core';
import type { AuditStore } from '../pool-store';
import { toRtdbValue } from '../rtdb-values';

/** The audit trail (`audit/{auditId}`) and push ids for new rows. */
export function rtdbAuditStore(db: Database): AuditStore {
  return {
    async writeAudit(auditId, entry: AuditEntry) {
      await db.ref(paths.auditEntry(auditId)).set(toRtdbValue(entry));
    },

    newId() {
      const key = db.ref(paths.audit()).push().key;
      if (key === null) throw new Error('RTDB did not produce a push id');
      return key;
    },
  };
}
