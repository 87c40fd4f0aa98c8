import { isOpenFailover, type FailoverRequest, type PoolConfig } from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { RequestError } from '../requests/request-error';
import { switchShow } from './switch-show';

/**
 * "Switch to vm-00X" (`confirm` mode, or any open failure an admin or the competition's producer
 * wants moved now): runs the same guarded switch as the automatic failover. Returns the
 * request's final message; a failure that is not open (cleared, already switched) is refused.
 */
export async function confirmFailover(
  deps: UseCaseDeps,
  request: FailoverRequest,
  config: PoolConfig,
): Promise<string> {
  const { competitionId, failedVmId } = request;
  const record = await deps.store.getFailover(competitionId);
  if (record?.failedVmId !== failedVmId || !isOpenFailover(record)) {
    throw new RequestError(
      'INVALID_STATE',
      `No open failover of ${failedVmId} for ${competitionId}: it recovered or was already switched`,
    );
  }
  const outcome = await switchShow(deps, {
    competitionId,
    failedVmId,
    config,
    by: request.requestedBy,
  });
  switch (outcome.kind) {
    case 'switched':
      return `${competitionId} moved from ${failedVmId} to ${outcome.record.spareVmId ?? '?'}${outcome.record.spareAddress ? ` at ${outcome.record.spareAddress}` : ''}`;
    case 'waiting':
      return `${failedVmId} is out of ${competitionId}; ${outcome.record.spareVmId ?? 'a spare'} is starting for it (see the failover's alert)`;
    case 'abandoned':
      throw new RequestError('NO_VM_AVAILABLE', outcome.record.detail ?? 'no spare could be had');
    case 'none':
      throw new RequestError(
        'INVALID_STATE',
        `No open failover of ${failedVmId} for ${competitionId}`,
      );
  }
}
