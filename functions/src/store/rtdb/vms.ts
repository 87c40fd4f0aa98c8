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
import type { AllocationView, InvalidRecord, VmChangeLinks, VmStore } from '../pool-store';
import { isRecord, toRtdbValue } from '../rtdb-values';
import { statusHistoryEntryId } from './schedule';
import { billedInstanceType, historyEntryForChange } from './status-history';
import {
  allocationEntryOf,
  parseAllocationIndex,
  rewriteAllocationIndex,
} from './allocation-index';
import { internalPaths } from './internal-paths';
import { summaryChangeFields, summaryEntryOf } from './summary';
import { guardedTransaction, type TransactionOptions } from './transaction';

/** Issue 17: a VM's record exists when it is changed (see TransactionOptions). */
const EXISTING: TransactionOptions = { prefetch: true };

/** How long the allocation index stays live after the last assign watching it is done. */
const ALLOCATION_LINGER_MS = 2_000;

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

/** The multi-path fields of a committed change's links (issue 17; pool-store.ts). */
function linkFields(links: VmChangeLinks): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (links.lock !== undefined) {
    const { competitionId, requestId, vmId } = links.lock;
    const lock = internalPaths.assignment(competitionId);
    Object.assign(fields, {
      [`${lock}/competitionId`]: competitionId,
      [`${lock}/requestId`]: requestId,
      [`${lock}/vmId`]: vmId,
    });
  }
  if (links.competition !== undefined) {
    const { competitionId, vmId, vmAddress } = links.competition;
    const config = paths.competitionConfig(competitionId);
    Object.assign(fields, { [`${config}/vmId`]: vmId, [`${config}/vmAddress`]: vmAddress });
  }
  return fields;
}

/**
 * The pool config and the VM records; every status change is a guarded transaction, and each
 * committed one appends its `vmPool/statusHistory` entry (the one place statuses are written).
 */
export function rtdbVmStore(db: Database, clock: Clock): VmStore {
  const ref = (path: string) => db.ref(path);
  const read = async (path: string): Promise<unknown> => (await ref(path).get()).val() as unknown;
  /** The shared listener on the allocation index while any assign watches it (issue 17). */
  interface AllocationListener {
    watchers: number;
    latest: unknown;
    /** `latest` parsed, once per value received (shared by every assign watching). */
    parsed: { raw: unknown; views: AllocationView[] } | null;
    ready: Promise<void>;
    stop(): void;
  }
  const viewsOf = (live: AllocationListener): AllocationView[] => {
    let parsed = live.parsed;
    if (parsed === null || parsed.raw !== live.latest) {
      parsed = { raw: live.latest, views: parseAllocationIndex(live.latest) };
      live.parsed = parsed;
    }
    return [...parsed.views];
  };
  let allocationListener: AllocationListener | null = null;
  const listenAllocation = (): AllocationListener => {
    const indexRef = ref(internalPaths.allocationIndex());
    const live: AllocationListener = {
      watchers: 0,
      latest: null,
      parsed: null,
      ready: Promise.resolve(),
      stop: () => indexRef.off('value', onValue),
    };
    let settle: { resolve: () => void; reject: (error: Error) => void } | null = null;
    live.ready = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const onValue = (snapshot: { val(): unknown }) => {
      live.latest = snapshot.val();
      settle?.resolve();
    };
    indexRef.on('value', onValue, (error: Error) => {
      if (allocationListener === live) allocationListener = null;
      settle?.reject(error);
    });
    return live;
  };
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

  /** The history entry of a committed change, as multi-path fields (none when nothing billed changed). */
  async function historyFields(
    before: VmRecord | null,
    after: VmRecord,
    cause?: string,
  ): Promise<Record<string, unknown>> {
    let instanceType = billedInstanceType(after, '');
    if (instanceType === '') {
      const configured = await read(`${paths.poolConfig()}/instanceType`);
      instanceType = typeof configured === 'string' ? configured : 't3.large';
    }
    const entry = historyEntryForChange(before, after, instanceType, clock.now());
    if (entry === null) return {};
    const withCause = cause === undefined ? entry : { ...entry, cause };
    return {
      [paths.statusHistoryEntry(after.vmId, statusHistoryEntryId(withCause))]:
        toRtdbValue(withCause),
    };
  }

  /**
   * The bookkeeping of a committed change of the record, in one multi-path write (issue 17: one
   * round trip, no transaction): its allocation index entry, the summary (issue 9) and its status
   * history entry. The change has committed already: a write lost to a crash leaves the index
   * and the summary a change behind until the next reconcile rewrites them from the whole pool
   * (the index is a hint, see allocation-index.ts), as before.
   */
  async function bookkeep(
    vmId: string,
    stored: { before: unknown; after: unknown },
    history: { before: VmRecord | null; after: VmRecord; cause?: string } | null,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const fields: Record<string, unknown> = {
      ...summaryChangeFields(vmId, summaryEntryOf(stored.before), summaryEntryOf(stored.after)),
      ...extra,
    };
    if (history !== null) {
      fields[internalPaths.allocationEntry(vmId)] = allocationEntryOf(history.after);
      Object.assign(fields, await historyFields(history.before, history.after, history.cause));
    }
    if (Object.keys(fields).length > 0) await db.ref().update(fields);
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

    async watchAllocationViews() {
      const live = (allocationListener ??= listenAllocation());
      live.watchers += 1;
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        live.watchers -= 1;
        if (live.watchers > 0) return;
        // Kept a moment longer: assigns arriving together share one download of the index.
        setTimeout(() => {
          if (live.watchers > 0) return;
          if (allocationListener === live) allocationListener = null;
          try {
            live.stop();
          } catch {
            // The app was deleted meanwhile: its listeners are gone with it.
          }
        }, ALLOCATION_LINGER_MS).unref();
      };
      try {
        await live.ready;
        // Before the first reconcile after the deploy the index is empty: the records stand in.
        const fallback = viewsOf(live).length > 0 ? null : (await listVms({ pulse: false })).vms;
        return {
          views: () => fallback ?? viewsOf(live),
          close,
        };
      } catch (error) {
        close();
        throw error;
      }
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
        const adopted = record.statusReason.startsWith('adopted');
        await bookkeep(
          record.vmId,
          { before: null, after: value },
          { before: null, after: record, cause: adopted ? 'adopted' : 'created' },
        );
      }
      return committed;
    },

    async updateVm(vmId, change, options = {}) {
      // The pulse is read once, before: `change` and the result see the agent as fresh as it is.
      const pulse = options.pulse === false ? null : await readPulse(vmId);
      let changed = false;
      let before: VmRecord | null = null;
      let storedBefore: unknown = null;
      const { committed, value } = await guardedTransaction(
        ref(paths.vm(vmId)),
        (current) => {
          changed = false;
          before = null;
          storedBefore = current;
          // No record (or not cached yet): write "nothing" so the server answers with the value.
          if (current === null) return null;
          const parsed = parseStoredVm(vmId, current);
          if (!parsed.ok) throw invalidError(vmId, parsed.errors);
          before = parsed.value;
          const next = change(vmWithPulse(parsed.value, pulse));
          if (next === null) return undefined;
          changed = true;
          return { ...(current as Record<string, unknown>), ...controlFields(next) };
        },
        EXISTING,
      );
      if (value === null) return { committed: false, vm: null };
      const parsed = parseStoredVm(vmId, value);
      const vm = parsed.ok ? parsed.value : null;
      if (committed && changed) {
        const links = vm === null || options.links === undefined ? {} : options.links(vm);
        await bookkeep(
          vmId,
          { before: storedBefore, after: value },
          vm === null ? null : { before, after: vm },
          linkFields(links),
        );
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
      // The pulse and the index entry go with the record (a new VM with this id starts anew).
      const gone = { [paths.vmPulse(vmId)]: null, [internalPaths.allocationEntry(vmId)]: null };
      if (removed === null) {
        await bookkeep(vmId, { before: null, after: null }, null, gone);
      } else {
        // The last entry closes the VM's history: nothing bills after its record is gone.
        const last: VmRecord = removed;
        const closing: VmRecord = {
          ...last,
          status: 'terminating',
          ec2State: 'terminated',
          statusChangedAt: Math.max(clock.now(), last.statusChangedAt + 1),
        };
        const history = await historyFields(last, closing, 'removed');
        await bookkeep(vmId, { before: last, after: null }, null, { ...history, ...gone });
      }
      return true;
    },
  };
}
