import type { Database } from 'firebase-admin/database';
import {
  parsePoolConfig,
  parseVmEntry,
  paths,
  type Parsed,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import type { InvalidRecord, VmStore } from '../pool-store';
import { isRecord, toRtdbValue } from '../rtdb-values';
import { rtdbSummaryStore, summaryEntryOf } from './summary';
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

/** The pool config and the VM records; every status change is a guarded transaction. */
export function rtdbVmStore(db: Database): VmStore {
  const ref = (path: string) => db.ref(path);
  const summary = rtdbSummaryStore(db);
  /**
   * Issue 9: keeps `vmPool/summary` in step when a VM's status or assignment changed. The VM
   * change has committed already; a failure here leaves the summary a change behind until the
   * next reconcile rewrites it from the whole pool, so it does not fail the caller.
   */
  const noteSummary = async (vmId: string, before: unknown, after: unknown) => {
    const was = summaryEntryOf(before);
    const now = summaryEntryOf(after);
    if (was?.status === now?.status && was?.assigned === now?.assigned) return;
    try {
      await summary.noteVmSummary(vmId, now);
    } catch {
      // Repaired by reconcile (see above).
    }
  };
  const read = async (path: string): Promise<unknown> => (await ref(path).get()).val() as unknown;

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
      const { committed, value } = await guardedTransaction(
        ref(paths.vm(record.vmId)),
        (current) => {
          if (current === null) return controlFields(record);
          // Only an agent subtree (e.g. an onDisconnect that outlived a deleted record): keep it.
          if (isRecord(current) && current.status === undefined) {
            return { ...current, ...controlFields(record) };
          }
          return undefined;
        },
      );
      if (committed) await noteSummary(record.vmId, null, value);
      return committed;
    },

    async updateVm(vmId, change) {
      let changed = false;
      let before: unknown = null;
      const { committed, value } = await guardedTransaction(ref(paths.vm(vmId)), (current) => {
        changed = false;
        before = current;
        // Not cached yet: write "nothing" so the server answers with the real value.
        if (current === null) return null;
        const parsed = parseStoredVm(vmId, current);
        if (!parsed.ok) throw invalidError(vmId, parsed.errors);
        const next = change(parsed.value);
        if (next === null) return undefined;
        changed = true;
        return { ...(current as Record<string, unknown>), ...controlFields(next) };
      });
      if (value === null) return { committed: false, vm: null };
      if (committed && changed) await noteSummary(vmId, before, value);
      const parsed = parseStoredVm(vmId, value);
      return { committed: committed && changed, vm: parsed.ok ? parsed.value : null };
    },

    async deleteVm(vmId, expect) {
      let before: unknown = null;
      const { committed, value } = await guardedTransaction(ref(paths.vm(vmId)), (current) => {
        before = current;
        if (current === null) return null;
        const parsed = parseStoredVm(vmId, current);
        return parsed.ok && expect(parsed.value) ? null : undefined;
      });
      const deleted = committed && value === null;
      if (deleted) await noteSummary(vmId, before, null);
      return deleted;
    },
  };
}
