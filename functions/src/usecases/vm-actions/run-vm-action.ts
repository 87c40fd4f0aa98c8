import { deadlineFor, type PoolConfig, type VmRecord } from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { STEP, type RequestProgress } from '../requests/progress';
import { RequestError } from '../requests/request-error';
import {
  changeStatusOrThrow,
  deadlineLimits,
  failVm,
  type OrdinaryEvent,
  type StatusPatch,
} from '../shared/vm-changes';

export const VM_ACTION_STEPS = [STEP.check, STEP.update, STEP.ec2] as const;

export interface VmActionContext {
  requestId: string;
  vmId: string;
  config: PoolConfig;
  progress: RequestProgress;
}

export interface VmActionSpec {
  /** The state-machine event, chosen from the current record. */
  event: (vm: VmRecord) => OrdinaryEvent;
  reason: string;
  /** Fields set with the status change (timestamps); the deadline follows the new status. */
  patch?: (vm: VmRecord, now: number) => StatusPatch;
  /** The EC2 call, if any; it runs again on a repeated request (EC2 calls are idempotent). */
  call?: (vm: VmRecord) => Promise<void>;
}

/**
 * One admin action on one VM: a guarded status change tagged with the request id (the new
 * status's deadline from core's deadlineFor), then the EC2 call. When the call fails the VM
 * goes to `error` (cause `ec2_failed`) with the reason, never stays in limbo.
 */
export async function runVmAction(
  deps: UseCaseDeps,
  ctx: VmActionContext,
  spec: VmActionSpec,
): Promise<VmRecord> {
  const { store, clock } = deps;
  const existing = await store.getVm(ctx.vmId);
  if (existing === null) throw new RequestError('VM_NOT_FOUND', `${ctx.vmId} does not exist`);
  ctx.progress.plan(VM_ACTION_STEPS);
  await ctx.progress.at(STEP.update, spec.reason, { vmId: ctx.vmId });
  const now = clock.now();
  const limits = deadlineLimits(ctx.config, deps.settings);
  const { vm } = await store.updateVm(ctx.vmId, (current) => {
    // A repeated delivery of the same request finds its own change already made.
    if (current.requestId === ctx.requestId) return null;
    const changed = changeStatusOrThrow(current, spec.event(current), now, spec.reason, {
      requestId: ctx.requestId,
      ...(spec.patch?.(current, now) ?? {}),
    });
    return { ...changed, deadline: deadlineFor(changed.status, now, limits) };
  });
  if (vm === null) throw new RequestError('VM_NOT_FOUND', `${ctx.vmId} disappeared`);
  if (spec.call) {
    await ctx.progress.at(STEP.ec2, `${spec.reason}: calling EC2`, { vmId: ctx.vmId });
    try {
      await spec.call(vm);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      await store.updateVm(ctx.vmId, (current) =>
        current.requestId === ctx.requestId
          ? failVm(current, 'fail', clock.now(), 'ec2_failed', `${spec.reason} failed: ${why}`, {
              deadline: null,
            })
          : null,
      );
      throw error;
    }
  }
  return vm;
}
