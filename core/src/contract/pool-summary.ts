// `vmPool/summary`: what producers see of the pool (issue 9: producers read their own
// competitions' VMs and these counts, not every VM's address and report nor the config).
// Written by the control plane only, whenever a VM's status or assignment changes and at
// every reconcile.
import { DEFAULT_POOL_CONFIG } from './pool-config';
import { VM_STATUSES, type VmStatus } from './vm-record';

export interface PoolSummary {
  /** VMs per status (every status, 0 included). */
  counts: Record<VmStatus, number>;
  total: number;
  /** Warm and free: an assign gets one of these in seconds. */
  ready: number;
  /** Stopped and free: an assign starts one (a cold start takes minutes). */
  cold: number;
  /** The pool's `agentStaleSeconds`: how producers' views judge an agent's report. */
  agentStaleSeconds: number;
  /** Increases with every write; a late writer with an older view does not overwrite. */
  seq: number;
  updatedAt: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

/** Reads a stored summary; null when absent or not a summary. */
export function readPoolSummary(raw: unknown): PoolSummary | null {
  if (!isObject(raw)) return null;
  const total = count(raw.total);
  const ready = count(raw.ready);
  const cold = count(raw.cold);
  if (total === null || ready === null || cold === null) return null;
  const counts = Object.fromEntries(
    VM_STATUSES.map((status) => [
      status,
      isObject(raw.counts) ? (count(raw.counts[status]) ?? 0) : 0,
    ]),
  ) as Record<VmStatus, number>;
  const stale = count(raw.agentStaleSeconds);
  return {
    counts,
    total,
    ready,
    cold,
    agentStaleSeconds: stale ?? DEFAULT_POOL_CONFIG.agentStaleSeconds,
    seq: count(raw.seq) ?? 0,
    updatedAt: typeof raw.updatedAt === 'number' ? raw.updatedAt : 0,
  };
}
