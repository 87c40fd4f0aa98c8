import type { Database } from 'firebase-admin/database';
import { parseRequestResult, paths } from '@vmpool/core';
import { HttpError, type Caller } from './caller';
import { answerFor } from './request-submitter';
import type { RouteAnswer } from './router';

/** GET /api/requests/:requestId — where a request stands; for admins and the requester. */
export async function requestStatus(
  db: Database,
  caller: Caller,
  requestId: string,
): Promise<RouteAnswer> {
  const raw: unknown = (await db.ref(paths.request(requestId)).get()).val();
  const row = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : null;
  if (row === null || (!caller.admin && row.requestedBy !== caller.uid)) {
    throw new HttpError(404, 'REQUEST_NOT_FOUND', `There is no request ${requestId} of yours`);
  }
  const parsed = parseRequestResult(row.result);
  return answerFor(requestId, parsed.ok ? parsed.value : null);
}
