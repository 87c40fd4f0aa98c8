import type { RequestResult } from '@vmpool/core';
import { isRecord } from '../../store/rtdb-values';
import { audit, outcomeOf, requestAuditId } from '../shared/audit';
import type { UseCaseDeps } from '../deps';

function field(raw: unknown, name: string): string | undefined {
  if (!isRecord(raw)) return undefined;
  const value = raw[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Writes a request's final result and its audit entry. Safe to repeat: a final result is never
 * overwritten and the audit id is the request's.
 */
export async function completeRequest(
  deps: Pick<UseCaseDeps, 'store' | 'clock' | 'logger'>,
  requestId: string,
  result: RequestResult,
): Promise<void> {
  // Issue 17: the request is read while its result is written, and its quota and audit entry
  // are written together: the result comes first in the database all the same.
  const [stored] = await Promise.all([
    deps.store.getRequest(requestId),
    deps.store.writeResult(requestId, result),
  ]);
  const raw = stored?.raw;
  const requestedBy = field(raw, 'requestedBy');
  const competitionId = field(raw, 'competitionId');
  const vmId = result.vmId ?? field(raw, 'vmId');
  await Promise.all([
    // Issue 9: a final request no longer counts among its user's open ones.
    requestedBy === undefined
      ? Promise.resolve()
      : deps.store.closeRequestQuota(requestedBy, requestId),
    audit(deps, requestAuditId(requestId), {
      at: result.updatedAt,
      actor: field(raw, 'requestedBy') ?? 'unknown',
      action: `request.${field(raw, 'action') ?? 'unknown'}`,
      target: {
        requestId,
        ...(competitionId === undefined ? {} : { competitionId }),
        ...(vmId === undefined ? {} : { vmId }),
      },
      outcome: outcomeOf(result),
      detail: result.error ? `${result.error.code}: ${result.error.message}` : result.message,
    }),
  ]);
  deps.logger.info('request finished', {
    requestId,
    state: result.state,
    ...(result.error ? { code: result.error.code } : {}),
  });
}
