import type { Database } from 'firebase-admin/database';
import {
  parsePoolConfig,
  parseVmEntry,
  paths,
  pulseOrNull,
  readVmList,
  vmWithPulse,
  type Parsed,
  type PoolConfig,
  type VmProblem,
  type VmRecord,
} from '@vmpool/core';
import type { Clock } from '@vmpool/core/ports';
import type { InvalidRecord, VmStore } from '../pool-store';
import { isRecord, toRtdbValue } from '../rtdb-values';
import { statusHistoryEntryId } from './schedule';
import { billedInstanceType, historyEntryForChange } from './status-history';
import {
  parseAllocationIndex,
  rewriteAllocationIndex,
  writeAllocationEntry,
} from './allocation-index';
import { internalPaths } from './internal-paths';
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

/**
 * The pool config and the VM records; every status change is a guarded transaction, and each
 * committed one appends its `vmPool/statusHistory` entry (the one place statuses are written).
 */
export function rtdbVmStore(db: Database, clock: Clock): VmStore {
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
  const readPulse = async (vmId: string) => pulseOrNull(await read(paths.vmPulse(vmId)));

  const listVms: VmStore['listVms'] = async (options = {}) => {
    const withPulses = options.pulse !== false;
    const [raw, rawPulses] = await Promise.all([
      read(paths.vms()),
      withPulses ? read(paths.pulses()) : Promise.resolve(null),
    ]);
    const { vms, invalid, agentProblems } = readVmList(raw, rawPulses);
    const at =
      (pathOf: (vmId: string) => string) =>
      ({ vmId, errors }: VmProblem): InvalidRecord => ({ path: pathOf(vmId), errors });
    return {
      vms,
      invalid: invalid.map(at(paths.vm)),
      agentProblems: agentProblems.map(at(paths.vmAgent)),
    };
  };

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

    async listAllocationViews() {
      const views = parseAllocationIndex(await read(internalPaths.allocationIndex()));
      if (views.length > 0) return views;
      return (await listVms({ pulse: false })).vms;
    },

    async rewriteAllocationIndex(vms) {
      await rewriteAllocationIndex(db, vms);
    },

    async getAgentPulse(vmId) {
      return readPulse(vmId);
    },

    listVms,

    async getVm(vmId) {
      const [raw, pulse] = await Promise.all([read(paths.vm(vmId)), readPulse(vmId)]);
      if (raw === null) return null;
      const parsed = parseStoredVm(vmId, raw);
      if (!parsed.ok) throw invalidError(vmId, parsed.errors);
      return vmWithPulse(parsed.value, pulse);
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
      if (committed) {
        await noteSummary(record.vmId, null, value);
        await writeAllocationEntry(db, record);
        const adopted = record.statusReason.startsWith('adopted');
        await recordHistory(null, record, adopted ? 'adopted' : 'created');
      }
      return committed;
    },

    async updateVm(vmId, change, options = {}) {
      // The pulse is read once, before: `change` and the result see the agent as fresh as it is.
      const pulse = options.pulse === false ? null : await readPulse(vmId);
      let changed = false;
      let before: VmRecord | null = null;
      const { committed, value } = await guardedTransaction(ref(paths.vm(vmId)), (current) => {
        changed = false;
        before = null;
        // Not cached yet: write "nothing" so the server answers with the real value.
        if (current === null) return null;
        const parsed = parseStoredVm(vmId, current);
        if (!parsed.ok) throw invalidError(vmId, parsed.errors);
        before = parsed.value;
        const next = change(vmWithPulse(parsed.value, pulse));
        if (next === null) return undefined;
        changed = true;
        return { ...(current as Record<string, unknown>), ...controlFields(next) };
      });
      if (value === null) return { committed: false, vm: null };
      if (committed && changed) await noteSummary(vmId, before, value);
      const parsed = parseStoredVm(vmId, value);
      const vm = parsed.ok ? parsed.value : null;
      if (committed && changed && vm !== null) {
        await writeAllocationEntry(db, vm);
        await recordHistory(before, vm);
      }
      return { committed: committed && changed, vm: vm === null ? null : vmWithPulse(vm, pulse) };
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
      if (!committed || value !== null) return false;
      await noteSummary(vmId, removed, null);
      if (removed !== null) {
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
      // The pulse and the index entry go with the record (a new VM with this id starts anew).
      await ref(paths.vmPulse(vmId)).remove();
      await ref(internalPaths.allocationEntry(vmId)).remove();
      return true;
    },
  };
}
