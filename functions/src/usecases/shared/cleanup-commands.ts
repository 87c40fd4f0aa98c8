import { createHash } from 'node:crypto';
import {
  isFinalCommandStatus,
  isIdempotentOp,
  PUSH_ID_PATTERN,
  type CommandOp,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';

/** The actor written on commands and audit entries the control plane makes itself. */
export const SYSTEM_ACTOR = 'system';

/** How often an idempotent cleanup op runs again, each time under a new command id. */
export const CLEANUP_OP_RETRIES = 2;

/** The longest command id the contract (PUSH_ID_PATTERN) and the rules accept. */
const COMMAND_ID_MAX_LENGTH = 64;

export type CleanupState = { kind: 'waiting' } | { kind: 'done'; ok: boolean; note: string };

/**
 * The command id of one run of `op` in a cleanup named `base` (a release's request id, a
 * recovery's id): the first run is `{base}-{op}`, a retry `{base}-{op}-r{n}`. Deterministic, so
 * a repeated call finds the commands it queued; a retry never reuses the id of a claimed command.
 * An id longer than 64 characters is shortened deterministically (see below).
 */
export function cleanupCommandId(base: string, op: CommandOp, run = 0): string {
  const suffix = run === 0 ? `-${op}` : `-${op}-r${run}`;
  const id = `${base}${suffix}`;
  if (PUSH_ID_PATTERN.test(id)) return id;
  // Command ids are at most 64 characters (the rules refuse the agent's claim of a longer one):
  // a long base, such as a schedule request id, keeps its start and a hash of the whole.
  const hash = createHash('sha256').update(base).digest('base64url').slice(0, 10);
  return `${base.slice(0, COMMAND_ID_MAX_LENGTH - suffix.length - hash.length - 1)}-${hash}${suffix}`;
}

/**
 * Moves a cleanup run through the VM's agent on: `ops` run in order, each only after the one
 * before succeeded (so nothing is cleared before a requested archive succeeded). A run that did
 * not succeed (failed, expired, interrupted by an agent restart) is queued again under a new
 * command id when the catalogue says the op is idempotent, up to CLEANUP_OP_RETRIES times; the
 * agent itself never re-runs a claimed command. Safe to call any number of times.
 */
export async function agentCleanupState(
  deps: UseCaseDeps,
  vmId: string,
  base: string,
  ops: readonly CommandOp[],
  args: (op: CommandOp) => Record<string, unknown>,
): Promise<CleanupState> {
  for (const op of ops) {
    const step = await opState(deps, vmId, base, op, args);
    if (step.kind === 'waiting') return step;
    if (!step.ok) return step;
  }
  return { kind: 'done', ok: true, note: '' };
}

async function opState(
  deps: UseCaseDeps,
  vmId: string,
  base: string,
  op: CommandOp,
  args: (op: CommandOp) => Record<string, unknown>,
): Promise<CleanupState> {
  const maxRun = isIdempotentOp(op) ? CLEANUP_OP_RETRIES : 0;
  for (let run = 0; run <= maxRun; run += 1) {
    const commandId = cleanupCommandId(base, op, run);
    const command = await deps.store.getCommand(vmId, commandId);
    if (command === null) {
      await deps.store.queueCommand(vmId, commandId, {
        op,
        args: args(op),
        requestedBy: SYSTEM_ACTOR,
        requestedAt: deps.clock.now(),
      });
      return { kind: 'waiting' };
    }
    if (!command.ok) {
      return { kind: 'done', ok: false, note: `${op}: unreadable command (${command.errors[0]})` };
    }
    if (!isFinalCommandStatus(command.value.status)) return { kind: 'waiting' };
    if (command.value.status === 'succeeded') return { kind: 'done', ok: true, note: '' };
    if (run < maxRun) {
      deps.logger.warn('cleanup command did not succeed; queued again under a new id', {
        vmId,
        commandId,
        status: command.value.status,
      });
      continue;
    }
    const why = command.value.reason ?? command.value.output?.stderr ?? '';
    const kept = op === 'archive_recordings' ? ' (recordings kept on the VM)' : '';
    const tries = run > 0 ? ` after ${run + 1} runs` : '';
    return {
      kind: 'done',
      ok: false,
      note: `${op} ${command.value.status}${tries}${why ? `: ${why.slice(0, 300)}` : ''}${kept}`,
    };
  }
  return { kind: 'done', ok: false, note: `${op}: no run left` };
}
