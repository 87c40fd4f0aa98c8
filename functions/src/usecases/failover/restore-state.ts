import {
  FAILOVER_REQUESTER,
  isFinalCommandStatus,
  RESTORE_WAIT_MS,
  restoreSummary,
  restoringText,
  type RestoreOutcome,
  type VmRecord,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { RequestProgress, STEP } from '../requests/progress';
import { cleanupCommandId, SYSTEM_ACTOR } from '../shared/cleanup-commands';

/** How often the hand-over looks at the spare's import while it waits. */
const POLL_MS = 250;

type RestoreDeps = Pick<UseCaseDeps, 'store' | 'clock' | 'logger' | 'sleep'>;

/** A failover's assign (requested by `failover`) restores state before its hand-over. */
export function restoresState(vm: Pick<VmRecord, 'assignedBy' | 'requestId'>): boolean {
  return vm.assignedBy === FAILOVER_REQUESTER && vm.requestId !== null;
}

/** The hand-over steps of a failover: `Restore state` comes right before `Hand over`. */
export function withRestoreStep(steps: readonly string[]): string[] {
  if (steps.includes(STEP.restore)) return [...steps];
  const at = steps.indexOf(STEP.handOver);
  return at < 0
    ? [...steps, STEP.restore]
    : [...steps.slice(0, at), STEP.restore, ...steps.slice(at)];
}

/**
 * Before a failover hands `spare` to the competition: its agent imports the competition's
 * latest saved show state (`import_state`, command id `{requestId}-import_state`, so a repeated
 * or resumed hand-over finds the one it queued). Waits for the import at most RESTORE_WAIT_MS
 * from when it was queued, then goes on whatever happened: a restore never holds the switch
 * longer. The outcome, in words with the export's age, goes on the failover record
 * (`restored`), the request's progress and the alert. Never throws for a failed restore.
 */
export async function restoreBeforeHandOver(
  deps: RestoreDeps,
  spare: VmRecord,
  competitionId: string,
  steps: readonly string[],
): Promise<string> {
  const requestId = spare.requestId;
  if (requestId === null) return '';
  let outcome: RestoreOutcome;
  try {
    outcome = await restore(deps, spare, competitionId, requestId, steps);
  } catch (error) {
    // The store refused or vanished: the hand-over goes on without state.
    deps.logger.warn('failover: state restore failed; handing over without it', {
      vmId: spare.vmId,
      competitionId,
      error: String(error),
    });
    const latest = await deps.store.getStateExport(competitionId).catch(() => null);
    outcome =
      latest === null
        ? { kind: 'nothing', competitionId }
        : { kind: 'failed', export: latest, why: String(error) };
  }
  const summary = restoreSummary(outcome, deps.clock.now());
  await deps.store.updateFailover(competitionId, (current) =>
    current?.requestId === requestId &&
    current.state === 'switching' &&
    current.restored !== summary
      ? { ...current, restored: summary, updatedAt: deps.clock.now() }
      : undefined,
  );
  return summary;
}

async function restore(
  deps: RestoreDeps,
  spare: VmRecord,
  competitionId: string,
  requestId: string,
  steps: readonly string[],
): Promise<RestoreOutcome> {
  const saved = await deps.store.getStateExport(competitionId);
  if (saved === null) return { kind: 'nothing', competitionId };
  const progress = new RequestProgress(deps.store, deps.clock, requestId, withRestoreStep(steps));
  await progress.at(
    STEP.restore,
    `Restoring ${competitionId}'s saved OBS state (from ${saved.vmId}) on ${spare.vmId}`,
    { vmId: spare.vmId },
  );
  // The failover panel shows the record: producers see the restore while it runs.
  const restoring = restoringText(saved, spare.vmId, deps.clock.now());
  await deps.store.updateFailover(competitionId, (current) =>
    current?.requestId === requestId && current.state === 'switching' && current.restored === null
      ? { ...current, restored: restoring, updatedAt: deps.clock.now() }
      : undefined,
  );
  const commandId = cleanupCommandId(requestId, 'import_state');
  let command = await deps.store.getCommand(spare.vmId, commandId);
  if (command === null) {
    await deps.store.queueCommand(spare.vmId, commandId, {
      op: 'import_state',
      args: { competitionId, sourceVmId: saved.vmId, digest: saved.digest },
      requestedBy: SYSTEM_ACTOR,
      requestedAt: deps.clock.now(),
    });
    command = await deps.store.getCommand(spare.vmId, commandId);
  }
  const sleep = deps.sleep ?? ((ms: number) => new Promise((done) => setTimeout(done, ms)));
  for (;;) {
    if (command === null)
      return { kind: 'failed', export: saved, why: 'the import command vanished' };
    if (!command.ok) {
      return {
        kind: 'failed',
        export: saved,
        why: `unreadable import command (${command.errors[0]})`,
      };
    }
    const { status, requestedAt, reason, output } = command.value;
    if (isFinalCommandStatus(status)) {
      if (status === 'succeeded') return { kind: 'restored', export: saved };
      const why = (reason ?? output?.stderr ?? status).trim().slice(0, 300) || status;
      return {
        kind: 'failed',
        export: saved,
        why: status === 'failed' ? why : `${status}: ${why}`,
      };
    }
    const waitedMs = deps.clock.now() - requestedAt;
    if (waitedMs >= RESTORE_WAIT_MS) return { kind: 'timed_out', export: saved, waitedMs };
    await sleep(Math.min(POLL_MS, RESTORE_WAIT_MS - waitedMs));
    command = await deps.store.getCommand(spare.vmId, commandId);
  }
}
