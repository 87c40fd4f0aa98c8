/** `vmPool/vms` and `vmPool/config`, parsed with core's validators. */
import {
  DEFAULT_POOL_CONFIG,
  parsePoolConfig,
  parseVmEntry,
  paths,
  readPoolSummary,
  type PoolConfig,
  type PoolSummary,
  type VmRecord,
} from '@vmpool/core';
import type { Database } from 'firebase/database';
import {
  serverTimestamp,
  watchValue,
  watchWhereEquals,
  writeValue,
  type Unsubscribe,
} from '../../../lib/rtdb';

/** A record that failed validation is reported, never shown as if it were fine. */
export interface InvalidVm {
  vmId: string;
  errors: string[];
}

export interface VmList {
  vms: VmRecord[];
  invalid: InvalidVm[];
  /** VMs shown with `agent: null` because only their agent report is unreadable. */
  agentProblems: InvalidVm[];
}

/** Reads `vmPool/vms` with core's one VM parse rule (`parseVmEntry`). */
export function vmListFromSnapshot(raw: unknown): VmList {
  const vms: VmRecord[] = [];
  const invalid: InvalidVm[] = [];
  const agentProblems: InvalidVm[] = [];
  if (typeof raw === 'object' && raw !== null) {
    for (const [vmId, value] of Object.entries(raw as Record<string, unknown>)) {
      const parsed = parseVmEntry(vmId, value);
      if (!parsed.ok) {
        invalid.push({ vmId, errors: parsed.errors });
        continue;
      }
      vms.push(parsed.value);
      if (parsed.agentErrors.length > 0) agentProblems.push({ vmId, errors: parsed.agentErrors });
    }
  }
  vms.sort((a, b) => a.vmId.localeCompare(b.vmId, undefined, { numeric: true }));
  return { vms, invalid, agentProblems };
}

export function watchVms(
  db: Database,
  onData: (list: VmList) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return watchValue(db, paths.vms(), (raw) => onData(vmListFromSnapshot(raw)), onError);
}

/**
 * The VMs assigned to one competition (issue 9: what a producer may read of `vmPool/vms`, by
 * the indexed query the rules allow for the competitions in its `producerAccess`).
 */
export function watchCompetitionVms(
  db: Database,
  competitionId: string,
  onData: (list: VmList) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return watchWhereEquals(
    db,
    paths.vms(),
    'assignedTo',
    competitionId,
    (raw) => onData(vmListFromSnapshot(raw)),
    onError,
  );
}

/** `vmPool/summary`: the pool as counts, what producers see of it (null until written). */
export function watchPoolSummary(
  db: Database,
  onData: (summary: PoolSummary | null) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return watchValue(db, paths.poolSummary(), (raw) => onData(readPoolSummary(raw)), onError);
}

export interface PoolConfigState {
  config: PoolConfig;
  /** Problems in the stored config; the defaults are used while there are any. */
  errors: string[];
}

export function poolConfigFromSnapshot(raw: unknown): PoolConfigState {
  const parsed = parsePoolConfig(raw);
  return parsed.ok
    ? { config: parsed.value, errors: [] }
    : {
        config: { ...DEFAULT_POOL_CONFIG, tags: { ...DEFAULT_POOL_CONFIG.tags } },
        errors: parsed.errors,
      };
}

export function watchPoolConfig(
  db: Database,
  onData: (state: PoolConfigState) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return watchValue(db, paths.poolConfig(), (raw) => onData(poolConfigFromSnapshot(raw)), onError);
}

/** Writes every field (rules validate the whole node), stamped with who and when. */
export async function savePoolConfig(db: Database, config: PoolConfig, uid: string): Promise<void> {
  const checked = parsePoolConfig(config);
  if (!checked.ok) throw new Error(`Invalid pool configuration: ${checked.errors.join('; ')}`);
  await writeValue(db, paths.poolConfig(), {
    ...checked.value,
    updatedAt: serverTimestamp(),
    updatedBy: uid,
  });
}
