import {
  isFailed,
  isFinalCommandStatus,
  releasingCompetition,
  type AuditOutcome,
  type CommandStatus,
} from '@vmpool/core';
import { advanceRelease } from '../release/advance-release';
import { audit, commandAuditId } from '../shared/audit';
import type { UseCaseDeps } from '../deps';
import { recoverVm } from '../recovery/recover-vm';
import { readConfigOrDefaults } from '../shared/pool-config';

function outcomeOf(status: CommandStatus): AuditOutcome {
  if (status === 'succeeded') return 'succeeded';
  return status === 'rejected' || status === 'expired' ? 'rejected' : 'failed';
}

/**
 * A command's status changed: a finished command is audited, and a release (or a recovery)
 * waiting for its cleanup commands moves on at once.
 */
export async function onCommandStatus(
  deps: UseCaseDeps,
  vmId: string,
  commandId: string,
): Promise<void> {
  const command = await deps.store.getCommand(vmId, commandId);
  if (command === null) return;
  if (!command.ok) {
    deps.logger.warn('command is invalid; not audited', {
      vmId,
      commandId,
      errors: command.errors,
    });
    return;
  }
  const { value } = command;
  if (!isFinalCommandStatus(value.status)) return;
  await audit(deps, commandAuditId(vmId, commandId), {
    at: value.finishedAt ?? deps.clock.now(),
    actor: value.requestedBy,
    action: `command.${value.op}`,
    target: { vmId, commandId },
    outcome: outcomeOf(value.status),
    detail: [
      value.status,
      value.exitCode === null ? '' : `exit ${value.exitCode}`,
      value.reason ?? '',
    ]
      .filter((part) => part !== '')
      .join(', '),
  });
  const vm = await deps.store.getVm(vmId);
  const releasingFor = vm === null ? null : releasingCompetition(vm);
  if (releasingFor !== null) await advanceRelease(deps, releasingFor);
  // A failed VM re-running its release cleanup moves on as each command finishes.
  if (vm !== null && isFailed(vm.status) && vm.recovery.running !== null) {
    await recoverVm(deps, vmId, await readConfigOrDefaults(deps));
  }
}
