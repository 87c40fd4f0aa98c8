import type { Database, Reference } from 'firebase-admin/database';
import {
  claimQuotaSlot,
  isFinalResult,
  openLimitMessage,
  openRequestCount,
  parseRequestResult,
  paths,
  perMinuteLimitMessage,
  readRequestQuota,
  readOpenRequestEntry,
  renewRequestLease,
  takeRequestLease,
  type RequestLimits,
} from '@vmpool/core';
import type { RequestStore, StoredRequest } from '../pool-store';
import { isRecord, toRtdbValue } from '../rtdb-values';
import { internalPaths } from './internal-paths';
import { guardedTransaction, type TransactionOptions } from './transaction';

/**
 * Issue 17: nodes that exist when these transactions run (an open request's lease, its result
 * once begun, a user's quota node once admitted): see TransactionOptions.
 */
const EXISTING: TransactionOptions = { prefetch: true };

/** Requests, their results and the run leases of the open ones (`vmPool/openRequests`). */
export function rtdbRequestStore(db: Database): RequestStore {
  const ref = (path: string) => db.ref(path);
  const read = async (path: string): Promise<unknown> => (await ref(path).get()).val() as unknown;
  // Issue 17: the runs this store began, and those whose open entry it has removed since (the
  // request closed): giving such a run back has nothing left to do, so it costs no transaction.
  const runs = new Map<string, { runId: string; closed: boolean }>();

  return {
    async getRequest(requestId): Promise<StoredRequest | null> {
      const raw = await read(paths.request(requestId));
      if (!isRecord(raw)) return raw === null ? null : { requestId, raw, result: null };
      const parsedResult = raw.result === undefined ? null : parseRequestResult(raw.result);
      return { requestId, raw, result: parsedResult?.ok === true ? parsedResult.value : null };
    },

    async beginRequest(requestId, initial, lease) {
      const openRef = ref(internalPaths.openRequest(requestId));
      const taken = await guardedTransaction(openRef, (current) => {
        const next = takeRequestLease(readOpenRequestEntry(current), lease);
        return next === null ? undefined : next;
      });
      if (!taken.committed) return 'busy';
      const { value } = await guardedTransaction(ref(paths.requestResult(requestId)), (current) =>
        current === null ? toRtdbValue(initial) : undefined,
      );
      if (isFinalResult(value)) {
        await openRef.remove();
        return 'final';
      }
      runs.set(requestId, { runId: lease.runId, closed: false });
      return 'begun';
    },

    // Issue 11: a live run renews its lease; only the run that holds it extends it.
    async renewRequestLease(requestId, runId, until) {
      let outcome: 'renewed' | 'lost' | 'ended' = 'ended';
      await guardedTransaction(
        ref(internalPaths.openRequest(requestId)),
        (current) => {
          const renewal = renewRequestLease(readOpenRequestEntry(current), runId, until);
          outcome = renewal.kind;
          return renewal.kind === 'renewed' ? renewal.entry : undefined;
        },
        EXISTING,
      );
      return outcome;
    },

    async endRequestRun(requestId, runId) {
      const run = runs.get(requestId);
      if (run?.runId === runId) {
        runs.delete(requestId);
        // Its entry is gone: another run's entry (another runId) is not this run's to change.
        if (run.closed) return;
      }
      await guardedTransaction(
        ref(internalPaths.openRequest(requestId)),
        (current) =>
          isRecord(current) && current.runId === runId ? { ...current, leaseUntil: 0 } : undefined,
        EXISTING,
      );
    },

    async writeResult(requestId, result) {
      await guardedTransaction(
        ref(paths.requestResult(requestId)),
        (current) =>
          // A final result is never overwritten: duplicates of a handler cannot undo an outcome.
          isFinalResult(current) ? undefined : toRtdbValue(result),
        EXISTING,
      );
      // A final result leaves the open index with the request's other closing writes.
      if (!isFinalResult(result)) {
        await ref(`${internalPaths.openRequest(requestId)}/updatedAt`).set(result.updatedAt);
      }
    },

    async closeRequest(requestId, closing) {
      const fields: Record<string, unknown> = { [internalPaths.openRequest(requestId)]: null };
      if (closing.audit !== null) {
        fields[paths.auditEntry(closing.audit.auditId)] = toRtdbValue(closing.audit.entry);
      }
      // The quota entry goes by a transaction on the user's quota node, as admissions do: a
      // plain write below it while an admission transaction of the same user is in flight on
      // this instance could leave that transaction never settling (seen as a hung handler in
      // the rate-limit tests, about 1 run in 20).
      await Promise.all([
        db.ref().update(fields),
        closing.uid === null
          ? Promise.resolve()
          : closeQuotaEntry(ref(paths.requestQuota(closing.uid)), requestId),
      ]);
      const run = runs.get(requestId);
      if (run !== undefined) run.closed = true;
    },

    async listOpenRequests() {
      const raw = await read(internalPaths.openRequests());
      return Object.entries(isRecord(raw) ? raw : {}).map(([requestId, entry]) => ({
        requestId,
        updatedAt: isRecord(entry) && typeof entry.updatedAt === 'number' ? entry.updatedAt : 0,
        leaseUntil: isRecord(entry) && typeof entry.leaseUntil === 'number' ? entry.leaseUntil : 0,
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

    // Issue 9: rate limits. One transaction on the user's quota node decides and records.
    admitRequest(uid, requestId, limits, now) {
      return takeQuota(ref(paths.requestQuota(uid)), requestId, limits, now, true);
    },

    claimRequestSlot(uid, requestId, limits, now) {
      return takeQuota(ref(paths.requestQuota(uid)), requestId, limits, now, false);
    },

    closeRequestQuota(uid, requestId) {
      return closeQuotaEntry(ref(paths.requestQuota(uid)), requestId);
    },

    async listQuotaOpenEntries() {
      const raw = await read(paths.requestQuotas());
      const entries: { uid: string; requestId: string }[] = [];
      for (const [uid, node] of Object.entries(isRecord(raw) ? raw : {})) {
        for (const requestId of Object.keys(readRequestQuota(node).open)) {
          entries.push({ uid, requestId });
        }
      }
      return entries;
    },
  };
}

/** Removes a request's entry from its user's quota node, by a transaction as admissions are. */
async function closeQuotaEntry(quotaRef: Reference, requestId: string): Promise<void> {
  // A transaction on the node: a plain remove below a node with a transaction in flight on
  // this SDK instance would abort that transaction ("set").
  await guardedTransaction(
    quotaRef,
    (current) => {
      if (!isRecord(current) || !isRecord(current.open) || !(requestId in current.open)) {
        return undefined;
      }
      const { [requestId]: _closed, ...open } = current.open;
      return { ...current, open };
    },
    EXISTING,
  );
}

type QuotaOutcome = { ok: true } | { ok: false; message: string; retryAfterMs: number | null };

/**
 * Counts `requestId` against its user's limits. `admit` (the request handler): an open entry
 * means it was admitted before (a repeated delivery); otherwise it needs a per-minute slot
 * (the one its writer claimed, or a free one) and room among the open requests, and is then
 * recorded as open. Without `admit` (the HTTPS API, before it writes the row): a slot only,
 * when the open requests leave room.
 */
async function takeQuota(
  quotaRef: Reference,
  requestId: string,
  limits: RequestLimits,
  now: number,
  admit: boolean,
): Promise<QuotaOutcome> {
  let outcome: QuotaOutcome = { ok: true };
  await guardedTransaction(quotaRef, (current) => {
    const quota = readRequestQuota(current);
    if (admit && quota.open[requestId] !== undefined) {
      outcome = { ok: true };
      return undefined;
    }
    if (openRequestCount(quota) >= limits.open) {
      outcome = { ok: false, message: openLimitMessage(limits), retryAfterMs: null };
      return undefined;
    }
    const claim = claimQuotaSlot(quota, limits, requestId, now);
    if (!claim.ok) {
      outcome = {
        ok: false,
        message: perMinuteLimitMessage(limits, claim.retryAfterMs),
        retryAfterMs: claim.retryAfterMs,
      };
      return undefined;
    }
    outcome = { ok: true };
    const base = isRecord(current) ? current : {};
    const slots = isRecord(base.slots) ? base.slots : {};
    const open = isRecord(base.open) ? base.open : {};
    return {
      ...base,
      slots: claim.already ? slots : { ...slots, [claim.slot]: { at: now, requestId } },
      ...(admit ? { open: { ...open, [requestId]: now } } : {}),
    };
  });
  return outcome;
}
