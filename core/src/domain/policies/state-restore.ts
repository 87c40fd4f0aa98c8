import type { StateExportRecord, StateExportTrigger } from '../../contract/state-export';
import { formatAge } from './agent-silence';

/**
 * When an agent exports its VM's show state, and what a failover says it restored (issue 12,
 * PRD §10.1). Pure: the time, the VM's status and the digests come in.
 */

/** How long a failover's hand-over waits for the spare's `import_state` before it goes on. */
export const RESTORE_WAIT_MS = 20_000;

export interface ExportTiming {
  now: number;
  /** Whether the VM is `in_use` (holding a live competition). */
  inUse: boolean;
  /** When the last export attempt ran (uploaded or found unchanged); null: none yet. */
  lastAttemptAt: number | null;
  intervalMs: number;
  /** OBS announced a scene collection or profile change since the last attempt. */
  changePending: boolean;
}

/**
 * Whether to export now, and why: only while in_use; at once after a change, and at the
 * first chance and then every interval otherwise. Null: not now.
 */
export function stateExportDue(timing: ExportTiming): StateExportTrigger | null {
  if (!timing.inUse) return null;
  if (timing.changePending) return 'change';
  if (timing.lastAttemptAt === null) return 'period';
  return timing.now - timing.lastAttemptAt >= timing.intervalMs ? 'period' : null;
}

/**
 * Whether a bundle must be uploaded: an unchanged export (same content digest as the latest
 * record of the same competition) is not uploaded again.
 */
export function stateExportChanged(
  digest: string,
  latest: Pick<StateExportRecord, 'digest' | 'competitionId'> | null,
  competitionId: string,
): boolean {
  return latest === null || latest.competitionId !== competitionId || latest.digest !== digest;
}

/** What the spare's import came to. */
export type RestoreOutcome =
  | { kind: 'nothing'; competitionId: string }
  | { kind: 'restored'; export: StateExportRecord }
  | { kind: 'failed'; export: StateExportRecord; why: string }
  | { kind: 'timed_out'; export: StateExportRecord; waitedMs: number };

/** What a saved export contains, in words. */
export function describeStateExport(record: Pick<StateExportRecord, 'obs' | 'showServer'>): string {
  const parts = [`OBS scene collection "${record.obs.sceneCollection}"`];
  if (record.obs.profile !== null) parts.push(`profile "${record.obs.profile}"`);
  if (record.showServer) parts.push('the show server state');
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
}

/** While the spare imports: what it is restoring, from which VM and how old it is. */
export function restoringText(record: StateExportRecord, spareVmId: string, now: number): string {
  return `Restoring ${describeStateExport(record)} (saved by ${record.vmId} ${formatAge(now - record.at)}) on ${spareVmId}…`;
}

/** The hand-over's and the failover alert's sentence about restored state, with its age. */
export function restoreSummary(outcome: RestoreOutcome, now: number): string {
  if (outcome.kind === 'nothing') {
    return `Nothing was restored: no saved OBS state of ${outcome.competitionId} exists.`;
  }
  const record = outcome.export;
  const what = describeStateExport(record);
  const saved = `saved by ${record.vmId} ${formatAge(now - record.at)}`;
  switch (outcome.kind) {
    case 'restored':
      return `Restored ${what}, ${saved}.`;
    case 'failed':
      return `Nothing was restored: importing ${what} (${saved}) failed: ${outcome.why}`;
    case 'timed_out':
      return `Nothing was restored: importing ${what} (${saved}) did not finish within ${Math.round(outcome.waitedMs / 1000)} s.`;
  }
}
