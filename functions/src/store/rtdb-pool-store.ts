import type { Database, Reference } from 'firebase-admin/database';
import {
  parseAlert,
  parseCompetitionConfig,
  parsePoolConfig,
  parseRequestResult,
  parseVmCommand,
  parseVmRecord,
  paths,
  type Alert,
  type AuditEntry,
  type CompetitionConfig,
  type Parsed,
  type PoolConfig,
  type RequestResult,
  type VmCommand,
  type VmRecord,
} from '@vmpool/core';
import { parseAssignmentLock } from './assignment-lock';
import type {
  AssignmentLock,
  InvalidRecord,
  PoolStore,
  QueuedCommand,
  StoredRequest,
} from './pool-store';
import { isRecord, toRtdbValue } from './rtdb-values';

/** Control-plane-only paths (not in the public contract; the rules deny clients). */
export const internalPaths = {
  assignments: () => 'vmPool/assignments',
  assignment: (competitionId: string) => `vmPool/assignments/${competitionId}`,
  openRequests: () => 'vmPool/openRequests',
  openRequest: (requestId: string) => `vmPool/openRequests/${requestId}`,
  alertIndex: () => 'vmPool/alertIndex',
  alertIndexEntry: (scope: string, sourceId: string) => `vmPool/alertIndex/${scope}/${sourceId}`,
} as const;

const FINAL_STATES = new Set(['succeeded', 'failed']);

function isFinalResult(raw: unknown): boolean {
  return isRecord(raw) && typeof raw.state === 'string' && FINAL_STATES.has(raw.state);
}

/** The record as stored: everything but the agent's subtree, which only the agent writes. */
function controlFields(vm: VmRecord): Record<string, unknown> {
  const { agent: _agent, ...fields } = vm;
  return toRtdbValue(fields) as Record<string, unknown>;
}

/**
 * Parses a VM node. The agent subtree comes from the VM itself: when only it is invalid, the
 * record is still usable with `agent: null` (the agent counts as silent), never hidden.
 */
function parseStoredVm(vmId: string, raw: unknown): Parsed<VmRecord> {
  const parsed = parseVmRecord(isRecord(raw) ? { vmId, ...raw } : raw);
  if (parsed.ok || !isRecord(raw) || raw.agent === undefined) return parsed;
  const withoutAgent = parseVmRecord({ vmId, ...raw, agent: null });
  return withoutAgent.ok ? withoutAgent : parsed;
}

/**
 * A transaction whose update function may fail (the error of its last run is rethrown) or
 * decline with `undefined`. Declining never aborts on the SDK's cached value, which may be
 * stale: the unchanged value is written back, so the server checks it and, when it differs,
 * the update runs again on the real value. `committed` is true only when `update` changed it.
 */
async function guardedTransaction(
  ref: Reference,
  update: (current: unknown) => unknown,
): Promise<{ committed: boolean; value: unknown }> {
  let failure: unknown = null;
  let declined = false;
  const outcome = await ref.transaction(
    (current: unknown) => {
      failure = null;
      declined = false;
      try {
        const next = update(current);
        if (next !== undefined) return next;
        declined = true;
        return current;
      } catch (error) {
        // Written back unchanged: if the cache was stale the update runs again on fresh data.
        failure = error;
        return current;
      }
    },
    undefined,
    false,
  );
  if (failure !== null) throw failure;
  return {
    committed: outcome.committed && !declined,
    value: outcome.snapshot.val() as unknown,
  };
}

/** PoolStore over the firebase-admin SDK (rules bypassed, as in Cloud Functions). */
export function createRtdbPoolStore(db: Database): PoolStore {
  const ref = (path: string) => db.ref(path);
  const read = async (path: string): Promise<unknown> => (await ref(path).get()).val() as unknown;

  return {
    async readConfig(): Promise<Parsed<PoolConfig>> {
      return parsePoolConfig((await read(paths.poolConfig())) ?? {});
    },

    async listVms() {
      const raw = await read(paths.vms());
      const vms: VmRecord[] = [];
      const invalid: InvalidRecord[] = [];
      for (const [vmId, value] of Object.entries(isRecord(raw) ? raw : {})) {
        const parsed = parseStoredVm(vmId, value);
        if (parsed.ok) vms.push(parsed.value);
        else invalid.push({ path: `${paths.vms()}/${vmId}`, errors: parsed.errors });
      }
      vms.sort((a, b) => a.vmId.localeCompare(b.vmId));
      return { vms, invalid };
    },

    async getVm(vmId) {
      const raw = await read(paths.vm(vmId));
      if (raw === null) return null;
      const parsed = parseStoredVm(vmId, raw);
      if (!parsed.ok) {
        throw new Error(`${paths.vm(vmId)} is invalid: ${parsed.errors.join('; ')}`);
      }
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
      return committed;
    },

    async updateVm(vmId, change) {
      let changed = false;
      const { committed, value } = await guardedTransaction(ref(paths.vm(vmId)), (current) => {
        changed = false;
        // Not cached yet: write "nothing" so the server answers with the real value.
        if (current === null) return null;
        const parsed = parseStoredVm(vmId, current);
        if (!parsed.ok) {
          throw new Error(`${paths.vm(vmId)} is invalid: ${parsed.errors.join('; ')}`);
        }
        const next = change(parsed.value);
        if (next === null) return undefined;
        changed = true;
        return { ...(current as Record<string, unknown>), ...controlFields(next) };
      });
      if (value === null) return { committed: false, vm: null };
      const parsed = parseStoredVm(vmId, value);
      return { committed: committed && changed, vm: parsed.ok ? parsed.value : null };
    },

    async deleteVm(vmId, expect) {
      const { committed, value } = await guardedTransaction(ref(paths.vm(vmId)), (current) => {
        if (current === null) return null;
        const parsed = parseStoredVm(vmId, current);
        return parsed.ok && expect(parsed.value) ? null : undefined;
      });
      return committed && value === null;
    },

    async getRequest(requestId): Promise<StoredRequest | null> {
      const raw = await read(paths.request(requestId));
      if (!isRecord(raw)) return raw === null ? null : { requestId, raw, result: null };
      const parsedResult = raw.result === undefined ? null : parseRequestResult(raw.result);
      return { requestId, raw, result: parsedResult?.ok === true ? parsedResult.value : null };
    },

    async beginRequest(requestId, initial, lease) {
      const openRef = ref(internalPaths.openRequest(requestId));
      const taken = await guardedTransaction(openRef, (current) => {
        const until =
          isRecord(current) && typeof current.leaseUntil === 'number' ? current.leaseUntil : 0;
        if (until > lease.now) return undefined;
        return {
          updatedAt:
            isRecord(current) && typeof current.updatedAt === 'number'
              ? current.updatedAt
              : lease.now,
          leaseUntil: lease.until,
          runId: lease.runId,
        };
      });
      if (!taken.committed) return 'busy';
      const { value } = await guardedTransaction(ref(paths.requestResult(requestId)), (current) =>
        current === null ? toRtdbValue(initial) : undefined,
      );
      if (isFinalResult(value)) {
        await openRef.remove();
        return 'final';
      }
      return 'begun';
    },

    async endRequestRun(requestId, runId) {
      await guardedTransaction(ref(internalPaths.openRequest(requestId)), (current) =>
        isRecord(current) && current.runId === runId ? { ...current, leaseUntil: 0 } : undefined,
      );
    },

    async writeResult(requestId, result) {
      const final = FINAL_STATES.has(result.state);
      await guardedTransaction(ref(paths.requestResult(requestId)), (current) =>
        // A final result is never overwritten: duplicates of a handler cannot undo an outcome.
        isFinalResult(current) ? undefined : toRtdbValue(result),
      );
      if (final) await ref(internalPaths.openRequest(requestId)).remove();
      else await ref(`${internalPaths.openRequest(requestId)}/updatedAt`).set(result.updatedAt);
    },

    async listOpenRequests() {
      const raw = await read(internalPaths.openRequests());
      return Object.entries(isRecord(raw) ? raw : {}).map(([requestId, entry]) => ({
        requestId,
        updatedAt: isRecord(entry) && typeof entry.updatedAt === 'number' ? entry.updatedAt : 0,
      }));
    },

    async listUnbegunRequests(limit) {
      // Served by the ".indexOn" on "result/state" that database.rules.json declares for
      // vmPool/requests (without it RTDB would download every request to filter them).
      const snapshot = await db
        .ref(paths.requests())
        .orderByChild('result/state')
        .equalTo(null)
        .limitToFirst(limit)
        .get();
      const unbegun: { requestId: string; raw: unknown }[] = [];
      snapshot.forEach((child) => {
        if (child.key !== null) unbegun.push({ requestId: child.key, raw: child.val() as unknown });
      });
      return unbegun;
    },

    async dropOpenRequest(requestId) {
      await ref(internalPaths.openRequest(requestId)).remove();
    },

    async getCompetitionConfig(competitionId): Promise<CompetitionConfig | null> {
      const raw = await read(paths.competitionConfig(competitionId));
      if (!isRecord(raw)) return null;
      const parsed = parseCompetitionConfig(raw);
      // The existing app owns the other fields: a stray value there must not block vmpool.
      return parsed.ok ? parsed.value : { ...raw, vmId: null, vmAddress: null };
    },

    async setCompetitionVm(competitionId, vmId, vmAddress) {
      await ref(paths.competitionConfig(competitionId)).update({ vmId, vmAddress });
    },

    async clearCompetitionVm(competitionId, vmId) {
      await guardedTransaction(ref(paths.competitionConfig(competitionId)), (current) => {
        if (current === null) return null;
        if (!isRecord(current) || current.vmId !== vmId) return undefined;
        const { vmId: _vmId, vmAddress: _vmAddress, ...rest } = current;
        return rest;
      });
    },

    async hasProducerAccess(uid, competitionId) {
      return (await read(paths.producerAccessFor(uid, competitionId))) === true;
    },

    async getLock(competitionId) {
      return parseAssignmentLock(
        competitionId,
        await read(internalPaths.assignment(competitionId)),
      );
    },

    async updateLock(competitionId, change) {
      const { value } = await guardedTransaction(
        ref(internalPaths.assignment(competitionId)),
        (current) => {
          const next = change(parseAssignmentLock(competitionId, current));
          if (next === undefined) return undefined;
          return next === null ? null : toRtdbValue(next);
        },
      );
      return parseAssignmentLock(competitionId, value);
    },

    async listLocks(): Promise<AssignmentLock[]> {
      const raw = await read(internalPaths.assignments());
      return Object.entries(isRecord(raw) ? raw : {})
        .map(([competitionId, value]) => parseAssignmentLock(competitionId, value))
        .filter((lock): lock is AssignmentLock => lock !== null);
    },

    async queueCommand(vmId, commandId, command: QueuedCommand) {
      await guardedTransaction(ref(paths.command(vmId, commandId)), (current) =>
        current === null ? toRtdbValue(command) : undefined,
      );
    },

    async getCommand(vmId, commandId): Promise<Parsed<VmCommand> | null> {
      const raw = await read(paths.command(vmId, commandId));
      return raw === null ? null : parseVmCommand(raw);
    },

    async raiseAlert(scope, alert: Alert) {
      const indexRef = ref(internalPaths.alertIndexEntry(scope, alert.sourceId));
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const { committed, value } = await guardedTransaction(indexRef, (current) =>
          current === null ? alert.id : undefined,
        );
        const alertId = typeof value === 'string' ? value : alert.id;
        if (committed) {
          await ref(paths.alert(scope, alertId)).set(toRtdbValue({ ...alert, id: alertId }));
          return { created: true, alertId };
        }
        const existing = await read(paths.alert(scope, alertId));
        if (existing === null) {
          // The index was written but the alert was not (a crash in between): finish it.
          await ref(paths.alert(scope, alertId)).set(toRtdbValue({ ...alert, id: alertId }));
          return { created: true, alertId };
        }
        if (!(isRecord(existing) && existing.resolved === true)) {
          return { created: false, alertId };
        }
        // The alert was resolved but its index entry survived: drop the stale entry and retry.
        await guardedTransaction(indexRef, (current) => (current === alertId ? null : undefined));
      }
      throw new Error(`alert ${scope}/${alert.sourceId}: index kept changing, not raised`);
    },

    async resolveAlert(scope, sourceId, now) {
      const indexRef = ref(internalPaths.alertIndexEntry(scope, sourceId));
      const alertId = (await indexRef.get()).val() as unknown;
      if (typeof alertId !== 'string') return false;
      const alertRef = ref(paths.alert(scope, alertId));
      if ((await alertRef.get()).exists()) {
        await alertRef.update({ resolved: true, resolvedAt: now });
      }
      await guardedTransaction(indexRef, (current) => (current === alertId ? null : undefined));
      return true;
    },

    async acknowledgeAlert(scope, alertId, by, now) {
      const alertRef = ref(paths.alert(scope, alertId));
      if (!(await alertRef.get()).exists()) return false;
      await alertRef.update({ acknowledged: true, acknowledgedBy: by, acknowledgedAt: now });
      return true;
    },

    async listActiveAlerts(scope) {
      // Through the index of unresolved alerts: the alert history itself only ever grows.
      const indexed = await this.listAlertSources();
      const wanted = indexed.filter((entry) => scope === undefined || entry.scope === scope);
      const alerts = await Promise.all(
        wanted.map(async (entry) => {
          const parsed = parseAlert(await read(paths.alert(entry.scope, entry.alertId)));
          return parsed.ok && !parsed.value.resolved
            ? { ...parsed.value, scope: entry.scope }
            : null;
        }),
      );
      return alerts
        .filter((alert): alert is Alert & { scope: string } => alert !== null)
        .sort((a, b) => b.createdAt - a.createdAt);
    },

    async listAlertSources() {
      const raw = await read(internalPaths.alertIndex());
      const sources: { scope: string; sourceId: string; alertId: string }[] = [];
      for (const [scope, entries] of Object.entries(isRecord(raw) ? raw : {})) {
        for (const [sourceId, alertId] of Object.entries(isRecord(entries) ? entries : {})) {
          if (typeof alertId === 'string') sources.push({ scope, sourceId, alertId });
        }
      }
      return sources;
    },

    async writeAudit(auditId, entry: AuditEntry) {
      await ref(paths.auditEntry(auditId)).set(toRtdbValue(entry));
    },

    newId() {
      const key = ref(paths.audit()).push().key;
      if (key === null) throw new Error('RTDB did not produce a push id');
      return key;
    },
  };
}

export type { RequestResult };
