import { agentGone, spareLiveAlert, type FailoverRecord, type PoolConfig } from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { raiseAlert } from '../shared/alerts';
import { audit } from '../shared/audit';

/**
 * What the spare got back of the failed VM's state, in words for the hand-over and the alert:
 * the hand-over's restore step wrote it on the failover record (restore-state.ts). A record
 * without it (the spare was handed over by an older control plane) says nothing was restored.
 */
export async function restoredSummary(
  deps: Pick<UseCaseDeps, 'store'>,
  record: Pick<FailoverRecord, 'competitionId' | 'restored'>,
  _spareVmId: string | null,
): Promise<string> {
  const current = await deps.store.getFailover(record.competitionId);
  return (
    current?.restored ??
    record.restored ??
    `Nothing was restored: no saved OBS state of ${record.competitionId} exists.`
  );
}

/**
 * A switched competition's spare is live once its agent reports and its show server answers at
 * the competition's address: the info alert says so (once; `liveAt` records it).
 */
export async function markSpareLive(
  deps: UseCaseDeps,
  record: FailoverRecord,
  config: PoolConfig,
): Promise<boolean> {
  if (record.state !== 'switched' || record.liveAt !== null || record.spareVmId === null) {
    return false;
  }
  const spare = await deps.store.getVm(record.spareVmId);
  const now = deps.clock.now();
  if (spare?.assignedTo !== record.competitionId || agentGone(spare, config, now)) return false;
  const competition = await deps.store.getCompetitionConfig(record.competitionId);
  const address = competition?.vmAddress ?? null;
  if (competition?.vmId !== spare.vmId || address === null) return false;
  if (!(await deps.showProbe.reachable(address))) return false;
  const updated = await deps.store.updateFailover(record.competitionId, (current) =>
    current?.requestId === record.requestId && current.liveAt === null
      ? { ...current, liveAt: now, spareAddress: address, updatedAt: now }
      : undefined,
  );
  if (updated?.liveAt !== now) return false;
  await raiseAlert(
    deps,
    spareLiveAlert({
      competitionId: record.competitionId,
      failedVmId: record.failedVmId,
      reason: record.reason,
      now,
      spareVmId: spare.vmId,
      spareAddress: address,
    }),
  );
  await audit(deps, `failover-${record.requestId ?? record.failedVmId}-live`, {
    at: now,
    actor: 'system',
    action: 'failover.live',
    target: {
      competitionId: record.competitionId,
      vmId: spare.vmId,
      ...(record.requestId === null ? {} : { requestId: record.requestId }),
    },
    outcome: 'succeeded',
    detail: `${spare.vmId} is live for ${record.competitionId} at ${address}`,
  });
  return true;
}
