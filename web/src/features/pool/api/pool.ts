/** `vmPool/vms` (with `vmPool/pulse`) and `vmPool/config`, parsed with core's validators. */
import {
  DEFAULT_POOL_CONFIG,
  parsePoolConfig,
  parseVmEntry,
  paths,
  pulseOrNull,
  withPulse,
  type AgentPulse,
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

/** Reads `vmPool/pulse`: each VM's heartbeat and metrics; an unreadable pulse counts as none. */
export function pulsesFromSnapshot(raw: unknown): Map<string, AgentPulse> {
  const pulses = new Map<string, AgentPulse>();
  if (typeof raw === 'object' && raw !== null) {
    for (const [vmId, value] of Object.entries(raw as Record<string, unknown>)) {
      const pulse = pulseOrNull(value);
      if (pulse !== null) pulses.set(vmId, pulse);
    }
  }
  return pulses;
}

/**
 * Reads `vmPool/vms` with core's one VM parse rule (`parseVmEntry`); each agent report comes
 * with its pulse (heartbeat and metrics, `withPulse`), as the control plane reads it.
 */
export function vmListFromSnapshot(
  raw: unknown,
  pulses: ReadonlyMap<string, AgentPulse> = new Map(),
): VmList {
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
      const vm = parsed.value;
      vms.push({ ...vm, agent: withPulse(vm.agent, pulses.get(vmId) ?? null) });
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
  // Two live listeners: the records (state) and the pulses (heartbeats, metrics). The list is
  // published once both have answered, and again on every change of either.
  let vmsRaw: unknown;
  let pulses: Map<string, AgentPulse> | undefined;
  const publish = () => {
    if (vmsRaw !== undefined && pulses !== undefined) onData(vmListFromSnapshot(vmsRaw, pulses));
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
      pulses = pulsesFromSnapshot(raw);
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
  const pulses = new Map<string, AgentPulse>();
  const pulseListeners = new Map<string, Unsubscribe>();
  const publish = () => {
    if (vmsRaw !== undefined) onData(vmListFromSnapshot(vmsRaw, pulses));
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
            const pulse = pulseOrNull(raw);
            if (pulse === null) pulses.delete(vmId);
            else pulses.set(vmId, pulse);
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
