import type { AuditEntry, AuditOutcome, RequestResult } from '@vmpool/core';
import type { UseCaseDeps } from '../deps';

type AuditDeps = Pick<UseCaseDeps, 'store' | 'clock' | 'logger'>;

/** The audit id of a request: one entry per request, however often its handler runs. */
export function requestAuditId(requestId: string): string {
  return `request-${requestId}`;
}

export function commandAuditId(vmId: string, commandId: string): string {
  return `command-${vmId}-${commandId}`;
}

export function outcomeOf(result: RequestResult): AuditOutcome {
  if (result.state === 'succeeded') return 'succeeded';
  return result.error?.code === 'FORBIDDEN' || result.error?.code === 'INVALID_REQUEST'
    ? 'rejected'
    : 'failed';
}

/** Writes an audit entry; a failure to audit is logged, never allowed to undo the work. */
export async function audit(deps: AuditDeps, auditId: string, entry: AuditEntry): Promise<void> {
  try {
    await deps.store.writeAudit(auditId, entry);
  } catch (error) {
    deps.logger.error('audit entry not written', { auditId, error: String(error) });
  }
}
