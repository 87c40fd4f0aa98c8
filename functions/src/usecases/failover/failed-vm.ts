import {
  deadlineFor,
  failedVmStep,
  type FailedVmHandled,
  type FailoverRecord,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { audit } from '../shared/audit';
import { changeStatus, deadlineLimits } from '../shared/vm-changes';

/**
 * After a switch took the show off the failed VM: reboot it or stop it, per the pool's
 * `failedVmAction` (core `failedVmStep`), once, and note it in the failover record
 * (`failedVmHandled`). Idempotent and resumable: it runs after the take-out, and reconcile runs
 * it again for every switch whose record has no `failedVmHandled` yet (a crash before the note
 * repeats the EC2 call, which is harmless: a stop is idempotent, a second reboot of a VM still
 * in `error` only delays its return). A rebooted VM stays in `error` (`failed_over`) until its
 * agent reports healthy and recovery takes it back; a stopped one rejoins the pool as `stopped`.
 */
export async function handleFailedVm(
  deps: UseCaseDeps,
  record: FailoverRecord,
  config: PoolConfig,
): Promise<FailedVmHandled | null> {
  if (record.failedVmHandled !== null || record.requestId === null) return record.failedVmHandled;
  const { competitionId, failedVmId } = record;
  const action = config.failedVmAction;
  const now = deps.clock.now();
  const recorded = await deps.store.getVm(failedVmId);
  // EC2's state now (the record's may lag behind a start); unknown to EC2: gone.
  const vm = recorded === null ? null : await withLiveEc2State(deps, recorded);
  const step = failedVmStep(vm, competitionId, action);
  if (step.kind === 'wait') return null;

  let handled: FailedVmHandled = 'left';
  let detail = step.kind === 'left' ? `${failedVmId} left as it is: ${step.why}` : '';
  let outcome: 'succeeded' | 'failed' = 'succeeded';
  if (vm !== null && step.kind === 'reboot') {
    try {
      await deps.compute.rebootInstance(vm.region, vm.instanceId);
      handled = 'rebooted';
      detail = `${failedVmId} rebooted (failedVmAction reboot); back in the pool once healthy`;
    } catch (error) {
      // Refused (it stopped meanwhile…): it stays in error; recovery or an admin takes it on.
      outcome = 'failed';
      detail = `${failedVmId}: the reboot was refused (${String(error)}); it stays in error`;
    }
  } else if (vm !== null && step.kind === 'stop') {
    const reason = `failover: stopped after ${competitionId} moved to a spare`;
    const { vm: after } = await deps.store.updateVm(failedVmId, (current) =>
      failedVmStep(current, competitionId, action).kind !== 'stop' || current.status === 'stopping'
        ? null
        : changeStatus(current, 'stop_requested', now, reason, {
            deadline: deadlineFor('stopping', now, deadlineLimits(config, deps.settings)),
          }),
    );
    if (after?.status !== 'stopping') {
      detail = `${failedVmId} left as it is: it is ${after?.status ?? 'gone'} now`;
    } else {
      handled = 'stopped';
      try {
        await deps.compute.stopInstance(vm.region, vm.instanceId);
        detail = `${failedVmId} stopping (failedVmAction stop); back in the pool as stopped`;
      } catch (error) {
        // The stopping deadline asks EC2 again (recovery's redrive_stop).
        outcome = 'failed';
        detail = `${failedVmId}: EC2 refused the stop for now (${String(error)}); its deadline retries it`;
      }
    }
  }

  const noted = await deps.store.updateFailover(competitionId, (current) =>
    current?.requestId === record.requestId && current.failedVmHandled === null
      ? { ...current, failedVmHandled: handled, updatedAt: now }
      : undefined,
  );
  if (noted?.requestId === record.requestId && noted.failedVmHandled === handled) {
    await audit(deps, `failover-${record.requestId}-failed-vm`, {
      at: now,
      actor: 'system',
      action: 'failover.failed_vm',
      target: { competitionId, vmId: failedVmId, requestId: record.requestId },
      outcome,
      detail,
    });
  }
  return handled;
}

async function withLiveEc2State(deps: UseCaseDeps, vm: VmRecord): Promise<VmRecord> {
  try {
    const [status] = await deps.compute.describeInstanceStatus(vm.region, [vm.instanceId]);
    return { ...vm, ec2State: status?.state ?? 'terminated' };
  } catch (error) {
    deps.logger.warn('failover: EC2 state of the failed VM could not be read; the record is used', {
      vmId: vm.vmId,
      error: String(error),
    });
    return vm;
  }
}
