import type { Database } from 'firebase-admin/database';
import { paths } from '@vmpool/core';
import { onCommandStatus } from '../../src/usecases/events/command-status';
import type { UseCaseDeps } from '../../src/usecases/deps';

/**
 * Plays the agent's side of the command protocol for use-case tests: claims every queued
 * command of a VM, writes its final status and delivers the status trigger, until no command
 * is left queued. Returns the ops in the order they ran.
 */
export async function runQueuedCommands(
  db: Database,
  deps: UseCaseDeps,
  vmId: string,
  outcome: (op: string) => 'succeeded' | 'failed' = () => 'succeeded',
): Promise<string[]> {
  const ran: string[] = [];
  for (let round = 0; round < 10; round += 1) {
    const commands = ((await db.ref(paths.vmCommands(vmId)).get()).val() ?? {}) as Record<
      string,
      { op: string; status?: string }
    >;
    const queued = Object.entries(commands).filter(([, command]) => command.status === undefined);
    if (queued.length === 0) return ran;
    for (const [commandId, command] of queued) {
      const now = deps.clock.now();
      const status = outcome(command.op);
      await db.ref(paths.command(vmId, commandId)).update({
        claim: { bootId: 'boot-test', at: now },
        status,
        startedAt: now,
        finishedAt: now,
        durationMs: 0,
        exitCode: status === 'succeeded' ? 0 : 1,
        ...(status === 'failed' ? { reason: 'exit code 1' } : {}),
      });
      ran.push(command.op);
      await onCommandStatus(deps, vmId, commandId);
    }
  }
  return ran;
}
