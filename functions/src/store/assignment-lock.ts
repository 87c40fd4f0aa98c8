import type { AssignmentLock, ReleaseProgress } from './pool-store';
import { isRecord, listOf } from './rtdb-values';

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function parseRelease(raw: unknown): ReleaseProgress | null {
  if (!isRecord(raw)) return null;
  const requestId = text(raw.requestId);
  const vmId = text(raw.vmId);
  if (requestId === null || vmId === null) return null;
  const via = raw.via === 'ssm' || raw.via === 'none' ? raw.via : 'agent';
  return {
    requestId,
    requestedBy: text(raw.requestedBy) ?? 'system',
    vmId,
    archiveRecordings: raw.archiveRecordings === true,
    stopVM: raw.stopVM === true,
    via,
    commandIds: listOf(raw.commandIds).filter((id): id is string => typeof id === 'string'),
    invocationId: text(raw.invocationId),
    startedAt: typeof raw.startedAt === 'number' ? raw.startedAt : 0,
    deadline: typeof raw.deadline === 'number' ? raw.deadline : 0,
  };
}

/** Reads `vmPool/assignments/{competitionId}`; anything unreadable counts as no lock. */
export function parseAssignmentLock(competitionId: string, raw: unknown): AssignmentLock | null {
  if (!isRecord(raw)) return null;
  const requestId = text(raw.requestId);
  if (requestId === null) return null;
  return {
    competitionId,
    requestId,
    vmId: text(raw.vmId),
    at: typeof raw.at === 'number' ? raw.at : 0,
    release: parseRelease(raw.release),
  };
}
