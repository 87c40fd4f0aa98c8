import type { RequestResult } from '@vmpool/core';
import { isRecord } from '../../store/rtdb-values';
import { outcomeOf, requestAuditId } from '../shared/audit';
import type { UseCaseDeps } from '../deps';

function field(raw: unknown, name: string): string | undefined {
  if (!isRecord(raw)) return undefined;
  const value = raw[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * What completing a request needs to know of it (its user, competition and action), when the
 * caller has it already: the request is then not read again (issue 17).
 */
export interface RequestFields {
  requestedBy: string;
  action: string;
  competitionId?: string;
  vmId?: string;
}

/**
 * Writes a request's final result, then closes it (open index, its user's quota entry, its
 * audit entry) in one write. Safe to repeat: a final result is never overwritten and the audit
 * id is the request's.
 */
export async function completeRequest(
  deps: Pick<UseCaseDeps, 'store' | 'clock' | 'logger'>,
  requestId: string,
  result: RequestResult,
  known?: RequestFields,
): Promise<void> {
  // Issue 17: the request is read (unless known) while its result is written; the closing
  // writes come after the result in the database all the same.
  const [stored] = await Promise.all([
    known === undefined ? deps.store.getRequest(requestId) : Promise.resolve(null),
    deps.store.writeResult(requestId, result),
  ]);
  const raw = known ?? stored?.raw;
  const requestedBy = field(raw, 'requestedBy');
  const competitionId = field(raw, 'competitionId');
  const vmId = result.vmId ?? field(raw, 'vmId');
  await deps.store.closeRequest(requestId, {
    // Issue 9: a final request no longer counts among its user's open ones.
    uid: requestedBy ?? null,
    audit: {
      auditId: requestAuditId(requestId),
      entry: {
        at: result.updatedAt,
        actor: requestedBy ?? 'unknown',
        action: `request.${field(raw, 'action') ?? 'unknown'}`,
        target: {
          requestId,
          ...(competitionId === undefined ? {} : { competitionId }),
          ...(vmId === undefined ? {} : { vmId }),
        },
        outcome: outcomeOf(result),
        detail: result.error ? `${result.error.code}: ${result.error.message}` : result.message,
      },
    },
  });
  deps.logger.info('request finished', {
    requestId,
    state: result.state,
    ...(result.error ? { code: result.error.code } : {}),
  });
}
