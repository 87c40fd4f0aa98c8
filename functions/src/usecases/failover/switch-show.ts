import {
  failoverRequestId,
  FAILOVER_REQUESTER,
  isFinalResult,
  isOpenFailover,
  noSpareAlert,
  startingSpareAlert,
  switchedAlert,
  takeOutOfShow,
  type FailoverRecord,
  type PoolConfig,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { handleRequest } from '../requests/handle-request';
import { raiseAlert, resolveAlert } from '../shared/alerts';
import { audit } from '../shared/audit';
import { alertSourceIds, failoverSourceIds } from '@vmpool/core';

/** The health alerts about a VM that stay with the competition while it holds the VM. */
const VM_HEALTH_SOURCES = [
  alertSourceIds.vmUnreachable,
  alertSourceIds.showServerDown,
  alertSourceIds.obsDisconnected,
  alertSourceIds.noMachineDown,
  failoverSourceIds.degraded,
];
import { markSpareLive, restoredSummary } from './spare-live';
import { handleFailedVm } from './failed-vm';

export type SwitchOutcome =
  | { kind: 'switched'; record: FailoverRecord }
  | { kind: 'waiting'; record: FailoverRecord }
  | { kind: 'abandoned'; record: FailoverRecord }
  /** Nothing to switch: no open failover of this VM for the competition. */
  | { kind: 'none' };

/** `actor` of the audit entries: the confirming uid, or `system` for an automatic switch. */
function actorOf(by: string): string {
  return by === FAILOVER_REQUESTER ? 'system' : by;
}

/**
 * Moves a competition whose VM failed to a spare: one guarded use case, safe to run twice or
 * concurrently (every step is keyed by the failover's request id and checks what it changes):
 * 1. the failover record becomes `switching` with its request id;
 * 2. the competition's assignment slot passes from the failed VM to that request (so no other
 *    assign can slip in, and a release or another assign that got there first wins);
 * 3. the failed VM leaves the show: `error` with cause `failed_over`, `assignedTo` cleared, and
 *    the competition's link to it removed (it returns to the pool only once healthy again);
 * 4. the assign request runs through the shared assign use case (warm spare first, else a
 *    stopped VM started with progress, else a launch) and hands the spare over: it writes
 *    `competitions/{compId}/config/vmId` and `vmAddress`.
 * Alerts and audit entries follow each outcome. Resumes after a crash at any step.
 */
export async function switchShow(
  deps: UseCaseDeps,
  input: { competitionId: string; failedVmId: string; config: PoolConfig; by: string },
): Promise<SwitchOutcome> {
  const { competitionId, failedVmId, by } = input;
  const now = deps.clock.now();
  const record = await deps.store.updateFailover(competitionId, (current) => {
    if (current === null || current.failedVmId !== failedVmId) return undefined;
    if (current.state === 'switching' || !isOpenFailover(current)) return undefined;
    return {
      ...current,
      state: 'switching',
      requestId: failoverRequestId(failedVmId, current.since),
      switchedBy: by,
      updatedAt: now,
    };
  });
  if (record?.failedVmId !== failedVmId || record.requestId === null) return { kind: 'none' };
  if (record.state !== 'switching') {
    return record.state === 'switched'
      ? { kind: 'switched', record }
      : record.state === 'abandoned'
        ? { kind: 'abandoned', record }
        : { kind: 'none' };
  }
  return driveSwitch(deps, record, input.config);
}

/** Steps 2-4 and what follows, for a record in `switching` (also how reconcile resumes one). */
export async function driveSwitch(
  deps: UseCaseDeps,
  record: FailoverRecord,
  config: PoolConfig,
): Promise<SwitchOutcome> {
  const { competitionId, failedVmId } = record;
  const requestId = record.requestId;
  if (requestId === null) return { kind: 'none' };
  const actor = actorOf(record.switchedBy ?? FAILOVER_REQUESTER);
  const target = { competitionId, vmId: failedVmId, requestId };
  const now = deps.clock.now();

  const stored = await deps.store.getRequest(requestId);
  if (stored === null) {
    // Step 2: the slot passes from the failed VM to the failover's request, atomically.
    const lock = await deps.store.updateLock(competitionId, (current) =>
      current !== null && current.vmId === failedVmId && current.release === null
        ? { competitionId, requestId, vmId: null, at: now, release: null }
        : undefined,
    );
    if (lock?.requestId !== requestId) {
      const why =
        lock === null
          ? `${competitionId} was released meanwhile`
          : `${competitionId} is held by ${lock.vmId ?? 'another request'}${lock.release ? ' (releasing)' : ''}`;
      return abandon(deps, record, `not switched: ${why}`, false);
    }
    await audit(deps, `failover-${requestId}-slot`, {
      at: now,
      actor,
      action: 'failover.slot',
      target,
      outcome: 'succeeded',
      detail: `${competitionId}'s assignment passes from ${failedVmId} to the failover`,
    });

    // Step 3: the failed VM leaves the show.
    const { committed } = await deps.store.updateVm(failedVmId, (current) => {
      const out = takeOutOfShow(current, competitionId, now, record.reason);
      return out.ok ? out.vm : null;
    });
    await deps.store.clearCompetitionVm(competitionId, failedVmId);
    // Its health alerts leave the competition with it (the failover's alert tells the story).
    for (const sourceId of VM_HEALTH_SOURCES.map((source) => source(failedVmId))) {
      await resolveAlert(deps, competitionId, sourceId);
    }
    await audit(deps, `failover-${requestId}-take-out`, {
      at: now,
      actor,
      action: 'failover.take_out',
      target,
      outcome: 'succeeded',
      detail: committed
        ? `${failedVmId} taken out of ${competitionId} (error: failed_over)`
        : `${failedVmId} no longer held ${competitionId}`,
    });
    // The failed VM is rebooted or stopped per failedVmAction (reconcile repeats it after a crash).
    await handleFailedVm(deps, { ...record, requestId }, config);

    // Step 4: the assign, as a request of its own (progress, redrive, completion on ready).
    await deps.store.createRequest(requestId, {
      action: 'assign',
      competitionId,
      requestedBy: FAILOVER_REQUESTER,
      requestedAt: now,
      options: {},
    });
  }
  const begun = stored?.result ?? null;
  if (begun === null) {
    await handleRequest(deps, requestId, {
      action: 'assign',
      competitionId,
      requestedBy: FAILOVER_REQUESTER,
      requestedAt: now,
      options: {},
    });
  }
  return followRequest(deps, record, config);
}

/** Reads the failover's assign request and moves the record (and the alerts) with it. */
export async function followRequest(
  deps: UseCaseDeps,
  record: FailoverRecord,
  config: PoolConfig,
): Promise<SwitchOutcome> {
  const { competitionId, failedVmId } = record;
  const requestId = record.requestId;
  if (requestId === null) return { kind: 'none' };
  const result = (await deps.store.getRequest(requestId))?.result ?? null;
  const now = deps.clock.now();
  const facts = { competitionId, failedVmId, reason: record.reason, now };
  if (result === null) return { kind: 'waiting', record };

  if (result.state === 'failed') {
    return abandon(
      deps,
      record,
      `no spare could be had: ${result.error?.message ?? result.message}`,
      true,
    );
  }
  if (!isFinalResult(result)) {
    if (result.vmId === undefined || record.spareVmId === result.vmId) {
      return { kind: 'waiting', record };
    }
    const spareVmId = result.vmId;
    const updated = await deps.store.updateFailover(competitionId, (current) =>
      current?.requestId === requestId && current.state === 'switching'
        ? { ...current, spareVmId, updatedAt: now }
        : undefined,
    );
    await raiseAlert(
      deps,
      startingSpareAlert({ ...facts, spareVmId, readyAt: result.estimatedReadyAt ?? null }),
    );
    await audit(deps, `failover-${requestId}-spare`, {
      at: now,
      actor: actorOf(record.switchedBy ?? FAILOVER_REQUESTER),
      action: 'failover.spare',
      target: { competitionId, vmId: spareVmId, requestId },
      outcome: 'succeeded',
      detail: `no warm spare: ${spareVmId} is starting for ${competitionId}`,
    });
    return { kind: 'waiting', record: updated ?? record };
  }

  // Succeeded: the spare holds the competition and its config points at it.
  const spareVmId = result.vmId ?? null;
  const spareAddress = result.vmAddress ?? null;
  const restored = await restoredSummary(deps, record, spareVmId);
  const switched = await deps.store.updateFailover(competitionId, (current) =>
    current?.requestId === requestId && current.state === 'switching'
      ? { ...current, state: 'switched', spareVmId, spareAddress, restored, updatedAt: now }
      : undefined,
  );
  if (switched?.requestId !== requestId || switched.state !== 'switched') {
    return { kind: 'none' };
  }
  // A "starting" alert for this failure gives way to the final one.
  await resolveAlert(deps, competitionId, failoverSourceIds.failed(failedVmId));
  if (spareVmId !== null) {
    await raiseAlert(deps, switchedAlert({ ...facts, spareVmId, spareAddress, restored }));
  }
  await audit(deps, `failover-${requestId}-switched`, {
    at: now,
    actor: actorOf(record.switchedBy ?? FAILOVER_REQUESTER),
    action: 'failover.switched',
    target: { competitionId, vmId: spareVmId ?? failedVmId, requestId },
    outcome: 'succeeded',
    detail: `${competitionId} moved from ${failedVmId} to ${spareVmId ?? '?'}${spareAddress ? ` at ${spareAddress}` : ''}; ${restored}`,
  });
  await markSpareLive(deps, switched, config);
  return { kind: 'switched', record: switched };
}

async function abandon(
  deps: UseCaseDeps,
  record: FailoverRecord,
  detail: string,
  alert: boolean,
): Promise<SwitchOutcome> {
  const now = deps.clock.now();
  const abandoned = await deps.store.updateFailover(record.competitionId, (current) =>
    current?.requestId === record.requestId && current.state === 'switching'
      ? { ...current, state: 'abandoned', detail, updatedAt: now }
      : undefined,
  );
  if (alert) {
    await resolveAlert(deps, record.competitionId, failoverSourceIds.failed(record.failedVmId));
    await raiseAlert(
      deps,
      noSpareAlert({
        competitionId: record.competitionId,
        failedVmId: record.failedVmId,
        reason: record.reason,
        now,
        why: detail,
      }),
    );
  }
  await audit(deps, `failover-${record.requestId ?? record.failedVmId}-abandoned`, {
    at: now,
    actor: actorOf(record.switchedBy ?? FAILOVER_REQUESTER),
    action: 'failover.abandoned',
    target: {
      competitionId: record.competitionId,
      vmId: record.failedVmId,
      ...(record.requestId === null ? {} : { requestId: record.requestId }),
    },
    outcome: 'failed',
    detail,
  });
  return { kind: 'abandoned', record: abandoned ?? { ...record, state: 'abandoned', detail } };
}
