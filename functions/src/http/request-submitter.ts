import { ServerValue, type DataSnapshot, type Database } from 'firebase-admin/database';
import {
  isFinalResult,
  parsePoolRequest,
  parseRequestResult,
  paths,
  type RequestErrorCode,
  type RequestResult,
  SCHEDULE_REQUESTER,
} from '@vmpool/core';
import type { Clock } from '@vmpool/core/ports';
import { HttpError, type Caller } from './caller';
import type { RouteAnswer } from './router';

/** How a failed request reads over HTTP. */
const STATUS_OF_ERROR: Record<RequestErrorCode, number> = {
  INVALID_REQUEST: 400,
  FORBIDDEN: 403,
  COMPETITION_NOT_FOUND: 404,
  VM_NOT_FOUND: 404,
  INVALID_STATE: 409,
  ALREADY_ASSIGNED: 409,
  NOT_ASSIGNED: 409,
  NO_VM_AVAILABLE: 409,
  CAPACITY_LIMIT: 409,
  CONFIG_INCOMPLETE: 409,
  EC2_ERROR: 502,
  TIMEOUT: 504,
  INTERNAL: 500,
};

export interface RequestRow {
  action: string;
  competitionId?: string;
  vmId?: string;
  options?: unknown;
}

export interface RequestSubmitter {
  submit(caller: Caller, row: RequestRow): Promise<RouteAnswer>;
}

/** The answer for a request and whatever result it has now. */
export function answerFor(requestId: string, result: RequestResult | null): RouteAnswer {
  // Settled once its result is final; until then the trigger is still working.
  if (result === null || !isFinalResult(result)) {
    return { status: 202, body: { requestId, result } };
  }
  if (result.error) {
    return {
      status: STATUS_OF_ERROR[result.error.code],
      body: { requestId, result, error: result.error },
    };
  }
  return { status: 200, body: { requestId, result } };
}

/**
 * Turns an HTTP call into the same `vmPool/requests/{id}` row a client would write, so that the
 * request trigger runs the same use case; then waits a while for its result.
 */
export function createRequestSubmitter(deps: {
  db: Database;
  clock: Clock;
  waitForResultMs: number;
}): RequestSubmitter {
  function waitForResult(requestId: string): Promise<RequestResult | null> {
    return new Promise((resolve) => {
      const ref = deps.db.ref(paths.requestResult(requestId));
      let latest: RequestResult | null = null;
      let done = false;
      // The listener may fire synchronously (cached data), so everything it uses exists first.
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        ref.off('value', onValue);
        resolve(latest);
      };
      const onValue = (snapshot: DataSnapshot) => {
        const parsed = parseRequestResult(snapshot.val());
        if (!parsed.ok) return;
        latest = parsed.value;
        if (isFinalResult(parsed.value)) finish();
      };
      const timer = setTimeout(finish, deps.waitForResultMs);
      ref.on('value', onValue);
    });
  }

  return {
    async submit(caller, row) {
      // The schedule's name is the control plane's: a user whose uid happens to be it is refused
      // (as the rules refuse it), or its requests would be authorised as the control plane's.
      if (caller.uid === SCHEDULE_REQUESTER) {
        throw new HttpError(
          403,
          'FORBIDDEN',
          `"${SCHEDULE_REQUESTER}" is reserved for the control plane`,
        );
      }
      // Only the fields the caller gave: the validator refuses fields an action does not take.
      const given = Object.entries(row).filter(([, value]) => value !== undefined);
      const raw = {
        ...Object.fromEntries(given),
        requestedBy: caller.uid,
        requestedAt: deps.clock.now(),
      };
      const parsed = parsePoolRequest(raw);
      if (!parsed.ok) {
        throw new HttpError(400, 'INVALID_REQUEST', 'The request is not valid', parsed.errors);
      }
      const ref = deps.db.ref(paths.requests()).push();
      const requestId = ref.key;
      if (!requestId) throw new Error('RTDB gave no push id');
      // requestedAt is the server's time, as for rows written by clients.
      await ref.set({ ...parsed.value, requestedAt: ServerValue.TIMESTAMP });
      const result = deps.waitForResultMs > 0 ? await waitForResult(requestId) : null;
      return answerFor(requestId, result);
    },
  };
}
