import type { Database } from 'firebase-admin/database';
import { holdsAssignment, paths, VM_STATUSES, type VmStatus } from '@vmpool/core';

/**
 * The competition a VM's record says holds it (assigned to it, in a status that holds), or null.
 * The record is the truth about who holds a VM: what belongs to that assignment (the
 * competition's link, the VM's preview and watchers) is not removed by a late or repeated
 * release, failover or repair. RTDB has no transaction over two paths: callers read this just
 * before their own write, and an assign claims the VM well before it links or anyone watches it.
 */
export async function competitionHoldingVm(db: Database, vmId: string): Promise<string | null> {
  const read = async (path: string): Promise<unknown> =>
    (await db.ref(path).get()).val() as unknown;
  const [assignedTo, status] = await Promise.all([
    read(`${paths.vm(vmId)}/assignedTo`),
    read(`${paths.vm(vmId)}/status`),
  ]);
  if (typeof assignedTo !== 'string') return null;
  // An unreadable status still says who holds the VM: what it holds stays, reconcile repairs it.
  if (!VM_STATUSES.includes(status as VmStatus)) return assignedTo;
  return holdsAssignment({ status: status as VmStatus, assignedTo }) ? assignedTo : null;
}
