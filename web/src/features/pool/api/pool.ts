/** `vmPool/vms` (with `vmPool/pulse`) and `vmPool/config`, parsed with core's validators. */
import {
  DEFAULT_POOL_CONFIG,
  parsePoolConfig,
  paths,
  readPoolSummary,
  readVmList,
  type VmList as CoreVmList,
  type VmProblem,
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
export type InvalidVm = VmProblem;

export type VmList = CoreVmList;

/** VMs as the pool page lists them: by vmId, numbers in order (vm-2 before vm-10). */
export function byVmIdNumeric(a: VmRecord, b: VmRecord): number {
  return a.vmId.localeCompare(b.vmId, undefined, { numeric: true });
}

/**
 * Reads `vmPool/vms` with the pulses (`vmPool/pulse`, or the ones one may read, by vmId) by
 * core's one rule (`readVmList`: parse, pulse merge), in the page's order.
 */
export function vmListFromSnapshot(rawVms: unknown, rawPulses: unknown = null): VmList {
  const list = readVmList(rawVms, rawPulses);
  return { ...list, vms: list.vms.sort(byVmIdNumeric) };
}

export function watchVms(
  db: Database,
  onData: (list: VmList) => void,
  onError: (message: string) => void,
): Unsubscribe {
  // Two live listeners: the records (state) and the pulses (heartbeats, metrics). The list is
  // published once both have answered, and again on every change of either.
  let vmsRaw: unknown;
  let pulsesRaw: unknown;
  const publish = () => {
    if (vmsRaw !== undefined && pulsesRaw !== undefined)
      onData(vmListFromSnapshot(vmsRaw, pulsesRaw));
  };
  const stopVms = watchValue(
    db,
    paths.vms(),
    (raw) => {
      vmsRaw = raw;
      publish();
    },
    onError,
  );
  const stopPulses = watchValue(
    db,
    paths.pulses(),
    (raw) => {
      pulsesRaw = raw;
      publish();
    },
    onError,
  );
  return () => {
    stopVms();
    stopPulses();
  };
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
  // The records by the allowed query, and each listed VM's pulse (heartbeat, metrics) by its
  // own listener: producers may read the pulse of their competitions' VMs only.
  let vmsRaw: unknown;
  const pulses = new Map<string, unknown>();
  const pulseListeners = new Map<string, Unsubscribe>();
  const publish = () => {
    if (vmsRaw !== undefined) onData(vmListFromSnapshot(vmsRaw, Object.fromEntries(pulses)));
  };
  const followPulses = (vmIds: readonly string[]) => {
    for (const [vmId, stop] of pulseListeners) {
      if (vmIds.includes(vmId)) continue;
      stop();
      pulseListeners.delete(vmId);
      pulses.delete(vmId);
    }
    for (const vmId of vmIds) {
      if (pulseListeners.has(vmId)) continue;
      pulseListeners.set(
        vmId,
        watchValue(
          db,
          paths.vmPulse(vmId),
          (raw) => {
            pulses.set(vmId, raw);
            publish();
          },
          // A VM just moved to another competition: its pulse is no longer ours to read.
          () => undefined,
        ),
      );
    }
  };
  const stopVms = watchWhereEquals(
    db,
    paths.vms(),
    'assignedTo',
    competitionId,
    (raw) => {
      vmsRaw = raw;
      followPulses(
        typeof raw === 'object' && raw !== null ? Object.keys(raw as Record<string, unknown>) : [],
      );
      publish();
    },
    onError,
  );
  return () => {
    stopVms();
    for (const stop of pulseListeners.values()) stop();
    pulseListeners.clear();
  };
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
