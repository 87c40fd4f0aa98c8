/**
 * Pool requests: the web app writes `vmPool/requests/{pushId}` and follows `.../result`,
 * which the control plane fills with state, steps, progress and errors.
 */
import {
  isFinalResult,
  parsePoolRequest,
  parseRequestResult,
  paths,
  perMinuteLimitMessage,
  RATE_LIMITED,
  readRequestQuota,
  REQUEST_LIMITS,
  requestRowWrite,
  type PoolRequest,
  type RequestLimitRole,
  type RequestResult,
} from '@vmpool/core';
import type { Database } from 'firebase/database';
import {
  estimatedServerTime,
  newPushId,
  readValue,
  serverTimestamp,
  updateValues,
  watchValue,
  type Unsubscribe,
} from '../../../lib/rtdb';

/** What a caller supplies; `requestedBy` and `requestedAt` are added here. */
export type NewPoolRequest = PoolRequest extends infer R
  ? R extends PoolRequest
    ? Omit<R, 'requestedBy' | 'requestedAt'>
    : never
  : never;

export interface RequestHandle {
  requestId: string;
  /** Follows the request's result until the returned function is called. */
  watch(
    onResult: (result: RequestResult | null) => void,
    onError?: (message: string) => void,
  ): Unsubscribe;
}

/** A request refused by the rate limits (issue 9), before or by the rules. */
export class RateLimitedError extends Error {
  readonly code = RATE_LIMITED;
  constructor(detail: string) {
    super(`Rate limited (${RATE_LIMITED}): ${detail}`);
    this.name = 'RateLimitedError';
  }
}

/**
 * Writes a request as the rules require (issue 9): the row with one of the user's free
 * per-minute slots (`vmPool/requestQuota/{uid}`) in one multi-path update. With no free slot
 * nothing is written and a RateLimitedError says when to try again. A refusal by the rules is
 * retried once on a fresh read of the quota (another tab took the slot, or the clock estimate
 * was off at the window's edge).
 */
export async function submitRequest(
  db: Database,
  uid: string,
  request: NewPoolRequest,
  role: RequestLimitRole = 'producer',
): Promise<RequestHandle> {
  // Checked with the contract's validator first, so a bad request fails here, in words,
  // instead of as a bare permission_denied from the rules.
  const checked = parsePoolRequest({ ...request, requestedBy: uid, requestedAt: 0 });
  if (!checked.ok)
    throw new Error(`Invalid ${request.action} request: ${checked.errors.join('; ')}`);
  const requestId = newPushId(db, paths.requests());
  const limits = REQUEST_LIMITS[role];
  const row = { ...checked.value, requestedBy: uid, requestedAt: serverTimestamp() };
  for (let attempt = 1; ; attempt += 1) {
    const quota = readRequestQuota(await readValue(db, paths.requestQuota(uid)));
    const now = await estimatedServerTime(db);
    const write = requestRowWrite(quota, limits, uid, requestId, row, now, serverTimestamp());
    if (!write.ok) throw new RateLimitedError(perMinuteLimitMessage(limits, write.retryAfterMs));
    try {
      await updateValues(db, '/', write.update);
      break;
    } catch (error) {
      if (attempt >= 2) throw error;
    }
  }
  return {
    requestId,
    watch: (onResult, onError = () => undefined) =>
      watchRequestResult(db, requestId, (state) => onResult(state.result), onError),
  };
}

export interface RequestResultState {
  /** null while queued (no result written yet). */
  result: RequestResult | null;
  /** Set when the stored result does not match the contract. */
  invalid: string[] | null;
}

export function watchRequestResult(
  db: Database,
  requestId: string,
  onData: (state: RequestResultState) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return watchValue(
    db,
    paths.requestResult(requestId),
    (raw) => {
      if (raw === null) {
        onData({ result: null, invalid: null });
        return;
      }
      const parsed = parseRequestResult(raw);
      onData(
        parsed.ok
          ? { result: parsed.value, invalid: null }
          : { result: null, invalid: parsed.errors },
      );
    },
    onError,
  );
}

/** Resolves with the request's final result (succeeded or failed); rejects on read errors. */
export function waitForFinalResult(handle: RequestHandle): Promise<RequestResult> {
  return new Promise((resolve, reject) => {
    let stop: Unsubscribe | null = null;
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      action();
      // The listener may fire synchronously, before `stop` is assigned.
      queueMicrotask(() => stop?.());
    };
    stop = handle.watch(
      (result) => {
        if (result !== null && isFinalResult(result)) {
          finish(() => resolve(result));
        }
      },
      (message) => finish(() => reject(new Error(message))),
    );
    if (settled) stop();
  });
}
