import type { VmRecord } from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { isPendingInstanceId } from './launch-pool-vm';

/**
 * Ends the Auth sessions of the agent on this VM's instance (terminate, and the record's
 * removal when EC2 reports it gone). Never fails the caller: the rules already refuse the
 * token once the record is gone or names another instance; revoking stops refreshes early.
 */
export async function revokeAgentSessions(
  deps: Pick<UseCaseDeps, 'access' | 'logger'>,
  vm: Pick<VmRecord, 'vmId' | 'instanceId'>,
): Promise<void> {
  if (isPendingInstanceId(vm.instanceId)) return;
  try {
    await deps.access.revokeAgentSessions(vm.instanceId);
    deps.logger.info('agent sessions revoked', { vmId: vm.vmId, instanceId: vm.instanceId });
  } catch (error) {
    deps.logger.warn('could not revoke the agent sessions', {
      vmId: vm.vmId,
      instanceId: vm.instanceId,
      error: String(error),
    });
  }
}
