// The pool summary producers read (`vmPool/summary`, see contract/pool-summary.ts).
import { VM_STATUSES, type PoolSummary, type VmStatus } from '../../contract/index';
import { isCold, isWarm } from '../vm-status';

/** What the summary needs of a VM. */
export interface SummaryEntry {
  status: VmStatus;
  assigned: boolean;
}

export function summarizePool(
  entries: Iterable<SummaryEntry>,
  agentStaleSeconds: number,
  seq: number,
  now: number,
): PoolSummary {
  const counts = Object.fromEntries(VM_STATUSES.map((status) => [status, 0])) as Record<
    VmStatus,
    number
  >;
  let total = 0;
  let ready = 0;
  let cold = 0;
  for (const entry of entries) {
    counts[entry.status] += 1;
    total += 1;
    if (isWarm(entry.status) && !entry.assigned) ready += 1;
    if (isCold(entry.status) && !entry.assigned) cold += 1;
  }
  return { counts, total, ready, cold, agentStaleSeconds, seq, updatedAt: now };
}
