import { decideRecovery, isFailed, rearmRecovery } from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { STEP } from '../requests/progress';
import { RequestError } from '../requests/request-error';
import type { VmActionContext } from '../vm-actions/run-vm-action';
import { recoverVm } from './recover-vm';

export const RECOVER_STEPS = [STEP.check, STEP.update] as const;

/**
 * An admin's Recover of a VM in `error`: the attempt count starts again (a VM that gave up
 * becomes automatic again) and the recovery its cause allows runs now. A cause that never
 * clears by itself (the instance is gone) is refused with what to do instead.
 */
export async function recoverByAdmin(deps: UseCaseDeps, ctx: VmActionContext): Promise<string> {
  const vm = await deps.store.getVm(ctx.vmId);
  if (vm === null) throw new RequestError('VM_NOT_FOUND', `${ctx.vmId} does not exist`);
  ctx.progress.plan(RECOVER_STEPS);
  if (!isFailed(vm.status)) {
    throw new RequestError(
      'INVALID_STATE',
      `${ctx.vmId} is ${vm.status}: only a VM in error can be recovered`,
    );
  }
  const decision = decideRecovery(vm, ctx.config, deps.clock.now());
  if (decision.kind === 'manual') {
    throw new RequestError(
      'INVALID_STATE',
      `${ctx.vmId} cannot recover by itself (${decision.policy.phrase}): it needs ${decision.policy.waitingFor}`,
    );
  }
  await ctx.progress.at(STEP.update, `Recovering ${ctx.vmId}`, { vmId: ctx.vmId });
  await deps.store.updateVm(ctx.vmId, (latest) =>
    isFailed(latest.status) ? { ...latest, recovery: rearmRecovery(latest.recovery) } : null,
  );
  const outcome = await recoverVm(deps, ctx.vmId, ctx.config);
  const after = await deps.store.getVm(ctx.vmId);
  switch (outcome) {
    case 'recovered':
      return `${ctx.vmId} recovered (${after?.status ?? 'gone'})`;
    case 'running':
      return `${ctx.vmId}: re-running its release cleanup; it returns to the pool when that is done`;
    case 'waiting': {
      const again = after === null ? null : decideRecovery(after, ctx.config, deps.clock.now());
      const waitingFor = again?.kind === 'wait' ? again.waitingFor : 'its cause has cleared';
      return `${ctx.vmId}: automatic recovery is on again; it recovers once ${waitingFor}`;
    }
    case 'none':
      return `${ctx.vmId} is ${after?.status ?? 'gone'}: nothing left to recover`;
    default:
      return `${ctx.vmId}: automatic recovery is on again (${outcome})`;
  }
}
