// Issue 9: `vmPool/summary`, the pool as producers see it (counts, no VM's address or report),
// kept by the control plane whenever a VM's status or assignment changes. Cheap: the change
// updates one entry of a small control-plane-only index (`vmPool/summaryIndex`: each VM's
// status and whether it is assigned, with a sequence number) in a transaction, and the summary
// is rewritten from that index unless a later sequence number is already there. Reconcile
// rewrites the index from the full VM list every minute, which also repairs a change whose
// summary step was lost to a crash.
import { ServerValue, type Database } from 'firebase-admin/database';
import {
  DEFAULT_POOL_CONFIG,
  paths,
  readPoolSummary,
  summarizePool,
  VM_STATUSES,
  type SummaryEntry,
  type VmStatus,
} from '@vmpool/core';
import type { SummaryStore } from '../pool-store';
import { isRecord } from '../rtdb-values';
import { internalPaths } from './internal-paths';
import { guardedTransaction } from './transaction';

interface SummaryIndex {
  seq: number;
  vms: Record<string, SummaryEntry>;
}

function isVmStatus(value: unknown): value is VmStatus {
  return (VM_STATUSES as readonly unknown[]).includes(value);
}

function readIndex(raw: unknown): SummaryIndex {
  const index: SummaryIndex = { seq: 0, vms: {} };
  if (!isRecord(raw)) return index;
  if (typeof raw.seq === 'number') index.seq = raw.seq;
  if (isRecord(raw.vms)) {
    for (const [vmId, entry] of Object.entries(raw.vms)) {
      if (isRecord(entry) && isVmStatus(entry.status)) {
        index.vms[vmId] = { status: entry.status, assigned: entry.assigned === true };
      }
    }
  }
  return index;
}

const sameEntry = (a: SummaryEntry | undefined, b: SummaryEntry | null) =>
  a === undefined ? b === null : b !== null && a.status === b.status && a.assigned === b.assigned;

/** The summary entry of a stored VM node (null when it is gone or has no status). */
export function summaryEntryOf(raw: unknown): SummaryEntry | null {
  if (!isRecord(raw) || !isVmStatus(raw.status)) return null;
  return { status: raw.status, assigned: typeof raw.assignedTo === 'string' };
}

export function rtdbSummaryStore(db: Database): SummaryStore {
  const ref = (path: string) => db.ref(path);

  /** Writes the summary of `index` unless the stored one is as new (and agrees). */
  async function publish(index: SummaryIndex, agentStaleSeconds?: number): Promise<void> {
    await guardedTransaction(ref(paths.poolSummary()), (current) => {
      const stored = readPoolSummary(current);
      const stale = agentStaleSeconds ?? stored?.agentStaleSeconds;
      if (stored !== null && stored.seq > index.seq) return undefined;
      if (stored !== null && stored.seq === index.seq && stored.agentStaleSeconds === stale) {
        return undefined;
      }
      const summary = summarizePool(
        Object.values(index.vms),
        stale ?? DEFAULT_POOL_CONFIG.agentStaleSeconds,
        index.seq,
        0,
      );
      return { ...summary, updatedAt: ServerValue.TIMESTAMP };
    });
  }

  return {
    async noteVmSummary(vmId, entry) {
      let changed = false;
      const { value } = await guardedTransaction(ref(internalPaths.summaryIndex()), (current) => {
        const index = readIndex(current);
        changed = !sameEntry(index.vms[vmId], entry);
        if (!changed) return undefined;
        const vms = { ...index.vms };
        if (entry === null) delete vms[vmId];
        else vms[vmId] = entry;
        return { seq: index.seq + 1, vms };
      });
      if (changed) await publish(readIndex(value));
    },

    async syncSummary(entries, agentStaleSeconds) {
      const { value } = await guardedTransaction(ref(internalPaths.summaryIndex()), (current) => {
        const index = readIndex(current);
        const ids = new Set([...Object.keys(index.vms), ...Object.keys(entries)]);
        const same = [...ids].every((vmId) => sameEntry(index.vms[vmId], entries[vmId] ?? null));
        return same ? undefined : { seq: index.seq + 1, vms: entries };
      });
      await publish(readIndex(value), agentStaleSeconds);
    },
  };
}
