import type { CommandOp } from '@vmpool/core';
import type { ReleaseProgress } from '../../store/pool-store';
import { STEP } from '../requests/progress';
import { cleanupCommandId } from '../shared/cleanup-commands';

export const RELEASE_STEPS = [
  STEP.check,
  STEP.release,
  STEP.cleanup,
  STEP.unlink,
  STEP.returnVm,
] as const;

export { SYSTEM_ACTOR } from '../shared/cleanup-commands';

/**
 * Cleanup commands in the order they must run: recordings are archived before anything clears
 * them, and nothing is cleared when the archive failed.
 */
export function releaseCommandOps(
  release: Pick<ReleaseProgress, 'archiveRecordings'>,
): CommandOp[] {
  return [
    ...(release.archiveRecordings ? (['archive_recordings'] as const) : []),
    'reset_obs_config',
    'clear_recordings',
  ];
}

/** Deterministic command ids: a repeated release queues each command once (retries: cleanupCommandId). */
export function releaseCommandId(requestId: string, op: CommandOp): string {
  return cleanupCommandId(requestId, op);
}

export function releaseCommandArgs(op: CommandOp, competitionId: string): Record<string, unknown> {
  return op === 'archive_recordings' ? { competitionId } : {};
}
