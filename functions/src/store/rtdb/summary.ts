// Issue 9: `vmPool/summary`, the pool as producers see it (counts, no VM's address or report),
// kept by the control plane whenever a VM's status or assignment changes. Cheap: the change
// sets its VM's entry of a small control-plane-only index (`vmPool/summaryIndex`: each VM's
// status and whether it is assigned, with a sequence number) and moves the summary's counts by
// the difference, with server increments in one multi-path write (issue 17: no read, and no
// transaction on a node every concurrent change contends for; increments commute, so changes
// landing in any order add up). Reconcile rewrites the index and the summary from the full VM
// list every minute, which also repairs a change whose summary step was lost to a crash.
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

/**
 * The multi-path fields (from the root) that move the summary from `was` to `now` for one VM:
 * its index entry, the totals by the difference (always, 0 included, so that a summary created
 * by these increments is readable: readPoolSummary counts a missing status as 0), and the
 * status counts that changed (issue 17: the fewer paths, the cheaper the write for the SDK and
 * the server). Empty when nothing it counts changed.
 */
export function summaryChangeFields(
  vmId: string,
  was: SummaryEntry | null,
  now: SummaryEntry | null,
): Record<string, unknown> {
  if (was?.status === now?.status && was?.assigned === now?.assigned) return {};
  const minus = summarizePool(was === null ? [] : [was], 0, 0, 0);
  const plus = summarizePool(now === null ? [] : [now], 0, 0, 0);
  const summary = paths.poolSummary();
  const index = internalPaths.summaryIndex();
  const fields: Record<string, unknown> = {
    [`${index}/vms/${vmId}`]: now,
    [`${index}/seq`]: ServerValue.increment(1),
    [`${summary}/seq`]: ServerValue.increment(1),
    [`${summary}/updatedAt`]: ServerValue.TIMESTAMP,
  };
  for (const status of VM_STATUSES) {
    const by = plus.counts[status] - minus.counts[status];
    if (by !== 0) fields[`${summary}/counts/${status}`] = ServerValue.increment(by);
  }
  for (const name of ['total', 'ready', 'cold'] as const) {
    fields[`${summary}/${name}`] = ServerValue.increment(plus[name] - minus[name]);
  }
  return fields;
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
