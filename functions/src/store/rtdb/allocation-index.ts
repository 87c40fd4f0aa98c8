import type { Database } from 'firebase-admin/database';
import { vmRecordSchema, type VmRecord } from '@vmpool/core';
import type { AllocationView } from '../pool-store';
import { isRecord, toRtdbValue } from '../rtdb-values';
import { internalPaths } from './internal-paths';

/**
 * `vmPool/allocation/{vmId}`: what an assign needs of each VM (status, assignment, health,
 * placement, the request driving it), ~150 bytes instead of the whole record with its agent
 * report, so that an assign reads little at any pool size. A hint, never the truth: it is
 * written after each committed change of the record (two changes may land out of order), the
 * claim itself is a guarded transaction on the record, an assign that finds nothing reads the
 * records before it refuses, and reconcile rewrites the whole index every run.
 */
const entrySchema = vmRecordSchema.pick({
  status: true,
  assignedTo: true,
  healthStatus: true,
  region: true,
  tags: true,
  requestId: true,
});

export function allocationEntryOf(vm: VmRecord): Record<string, unknown> {
  const { status, assignedTo, healthStatus, region, tags, requestId } = vm;
  return toRtdbValue({ status, assignedTo, healthStatus, region, tags, requestId }) as Record<
    string,
    unknown
  >;
}

/** The index as views; an unreadable entry is left out (the record read covers it). */
export function parseAllocationIndex(raw: unknown): AllocationView[] {
  const views: AllocationView[] = [];
  for (const [vmId, value] of Object.entries(isRecord(raw) ? raw : {})) {
    const parsed = entrySchema.safeParse(value);
    if (parsed.success) views.push({ vmId, ...parsed.data });
  }
  return views.sort((a, b) => a.vmId.localeCompare(b.vmId));
}

export async function writeAllocationEntry(db: Database, vm: VmRecord): Promise<void> {
  await db.ref(internalPaths.allocationEntry(vm.vmId)).set(allocationEntryOf(vm));
}

/** Replaces the whole index with these records (reconcile, from what it just read). */
export async function rewriteAllocationIndex(
  db: Database,
  vms: readonly VmRecord[],
): Promise<void> {
  await db
    .ref(internalPaths.allocationIndex())
    .set(Object.fromEntries(vms.map((vm) => [vm.vmId, allocationEntryOf(vm)])));
}
