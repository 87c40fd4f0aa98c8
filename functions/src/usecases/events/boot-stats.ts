import {
  deadlineFor,
  isAwaitingAgent,
  type BootKind,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { billedInstanceType } from '../../store/rtdb/status-history';
import { deadlineLimits } from '../shared/vm-changes';

/**
 * A VM that was waiting for its agent became ready: its start-to-ready time (from the EC2
 * start or launch call, `lastStartedAt`, to now) goes into `vmPool/bootStats/{region}/{type}`
 * as a `launch` (the VM was created by that start) or a `start`. Times past twice the start
 * budget are left out: such a start had failed (or was adopted long after it began).
 */
export async function recordBootTime(
  deps: UseCaseDeps,
  before: VmRecord,
  after: VmRecord,
  config: PoolConfig,
  now: number,
): Promise<void> {
  if (!isAwaitingAgent(before.status) || isAwaitingAgent(after.status)) return;
  const startedAt = before.lastStartedAt;
  if (startedAt === null || startedAt > now) return;
  // A start may be retried once at its deadline (DEADLINE_RULES), so twice the budget.
  const limit = 2 * deadlineFor('starting', 0, deadlineLimits(config, deps.settings));
  if (now - startedAt > limit) return;
  const kind: BootKind = startedAt === before.createdAt ? 'launch' : 'start';
  const region = before.region !== '' ? before.region : config.awsRegion;
  try {
    await deps.store.recordBootSample(
      region,
      billedInstanceType(after, config.instanceType),
      kind,
      Math.round((now - startedAt) / 100) / 10,
      now,
    );
  } catch (error) {
    deps.logger.warn('boot time not recorded', { vmId: after.vmId, error: String(error) });
  }
}
