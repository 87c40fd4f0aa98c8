/** `vmPool/vms` (with `vmPool/pulse`) and `vmPool/config`, parsed with core's validators. */
import {
  DEFAULT_POOL_CONFIG,
  parsePoolConfig,
  parseVmEntry,
  paths,
  pulseOrNull,
  withPulse,
  type AgentPulse,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import type { Database } from 'firebase/database';
import { serverTimestamp, watchValue, writeValue, type Unsubscribe } from '../../../lib/rtdb';

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
