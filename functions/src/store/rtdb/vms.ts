import type { Database } from 'firebase-admin/database';
import {
  parsePoolConfig,
  parseVmEntry,
  paths,
  type Parsed,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import type { Clock } from '@vmpool/core/ports';
import type { InvalidRecord, VmStore } from '../pool-store';
import { isRecord, toRtdbValue } from '../rtdb-values';
import { statusHistoryEntryId } from './schedule';
import { billedInstanceType, historyEntryForChange } from './status-history';
import { guardedTransaction } from './transaction';

/** The record as stored: everything but the agent's subtree, which only the agent writes. */
function controlFields(vm: VmRecord): Record<string, unknown> {
  const { agent: _agent, ...fields } = vm;
  return toRtdbValue(fields) as Record<string, unknown>;
}

/** A VM node through core's one parse rule (an unreadable agent report counts as none). */
function parseStoredVm(vmId: string, raw: unknown): Parsed<VmRecord> {
  const entry = parseVmEntry(vmId, raw);
  return entry.ok ? { ok: true, value: entry.value } : entry;
}

function invalidError(vmId: string, errors: string[]): Error {
  return new Error(`${paths.vm(vmId)} is invalid: ${errors.join('; ')}`);
}

/**
 * The pool config and the VM records; every status change is a guarded transaction, and each
 * committed one appends its `vmPool/statusHistory` entry (the one place statuses are written).
 */
export function rtdbVmStore(db: Database, clock: Clock): VmStore {
  const ref = (path: string) => db.ref(path);
  const read = async (path: string): Promise<unknown> => (await ref(path).get()).val() as unknown;

  /** Appends the history entry of a committed change (none when nothing billing changed). */
  async function recordHistory(
    before: VmRecord | null,
    after: VmRecord,
    cause?: string,
  ): Promise<void> {
    let instanceType = billedInstanceType(after, '');
    if (instanceType === '') {
      const configured = await read(`${paths.poolConfig()}/instanceType`);
      instanceType = typeof configured === 'string' ? configured : 't3.large';
    }
    const entry = historyEntryForChange(before, after, instanceType, clock.now());
    if (entry === null) return;
    const withCause = cause === undefined ? entry : { ...entry, cause };
    await ref(paths.statusHistoryEntry(after.vmId, statusHistoryEntryId(withCause))).set(
      toRtdbValue(withCause),
    );
  }

  return {
    async readConfig(): Promise<Parsed<PoolConfig>> {
      return parsePoolConfig((await read(paths.poolConfig())) ?? {});
    },

    async listVms() {
      const raw = await read(paths.vms());
      const vms: VmRecord[] = [];
      const invalid: InvalidRecord[] = [];
      const agentProblems: InvalidRecord[] = [];
      for (const [vmId, value] of Object.entries(isRecord(raw) ? raw : {})) {
        const entry = parseVmEntry(vmId, value);
        if (!entry.ok) {
          invalid.push({ path: paths.vm(vmId), errors: entry.errors });
          continue;
        }
        vms.push(entry.value);
        if (entry.agentErrors.length > 0) {
          agentProblems.push({ path: paths.vmAgent(vmId), errors: entry.agentErrors });
        }
      }
      vms.sort((a, b) => a.vmId.localeCompare(b.vmId));
      return { vms, invalid, agentProblems };
    },

    async getVm(vmId) {
      const raw = await read(paths.vm(vmId));
      if (raw === null) return null;
      const parsed = parseStoredVm(vmId, raw);
      if (!parsed.ok) throw invalidError(vmId, parsed.errors);
      return parsed.value;
    },

    async createVm(record) {
      const { committed } = await guardedTransaction(ref(paths.vm(record.vmId)), (current) => {
        if (current === null) return controlFields(record);
        // Only an agent subtree (e.g. an onDisconnect that outlived a deleted record): keep it.
        if (isRecord(current) && current.status === undefined) {
          return { ...current, ...controlFields(record) };
        }
        return undefined;
      });
      if (committed) {
        const adopted = record.statusReason.startsWith('adopted');
        await recordHistory(null, record, adopted ? 'adopted' : 'created');
      }
      return committed;
    },

    async updateVm(vmId, change) {
      let changed = false;
      let before: VmRecord | null = null;
      const { committed, value } = await guardedTransaction(ref(paths.vm(vmId)), (current) => {
        changed = false;
        // Not cached yet: write "nothing" so the server answers with the real value.
        if (current === null) return null;
        const parsed = parseStoredVm(vmId, current);
        if (!parsed.ok) throw invalidError(vmId, parsed.errors);
        before = parsed.value;
        const next = change(parsed.value);
        if (next === null) return undefined;
        changed = true;
        return { ...(current as Record<string, unknown>), ...controlFields(next) };
      });
      if (value === null) return { committed: false, vm: null };
      const parsed = parseStoredVm(vmId, value);
      const vm = parsed.ok ? parsed.value : null;
      if (committed && changed && vm !== null) await recordHistory(before, vm);
      return { committed: committed && changed, vm };
    },

    async deleteVm(vmId, expect) {
      let removed: VmRecord | null = null;
      const { committed, value } = await guardedTransaction(ref(paths.vm(vmId)), (current) => {
        removed = null;
        if (current === null) return null;
        const parsed = parseStoredVm(vmId, current);
        if (!parsed.ok || !expect(parsed.value)) return undefined;
        removed = parsed.value;
        return null;
      });
      const deleted = committed && value === null;
      if (deleted && removed !== null) {
        // The last entry closes the VM's history: nothing bills after its record is gone.
        const gone: VmRecord = removed;
        const closing: VmRecord = {
          ...gone,
          status: 'terminating',
          ec2State: 'terminated',
          statusChangedAt: Math.max(clock.now(), gone.statusChangedAt + 1),
        };
        await recordHistory(gone, closing, 'removed');
      }
      return deleted;
    },
  };
}
