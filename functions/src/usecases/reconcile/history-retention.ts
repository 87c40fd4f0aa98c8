import {
  costMonthRange,
  monthlyCost,
  planHistoryPrune,
  priceLookup,
  retentionMonthsToCheck,
  type PoolConfig,
  type VmRecord,
  type VmStatusHistory,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';

/** At most this many old months are rolled up per run before their entries may go. */
const MONTHS_ROLLED_UP_PER_RUN = 2;

export interface HistoryRetentionReport {
  /** Status history entries deleted this run. */
  historyPruned: number;
  /** Entries past the retention still waiting (the batch was full). */
  historyPruneRemaining: number;
  /** Old months rolled up this run so that their entries may go. */
  costMonthsFinalised: string[];
}

/**
 * Status history retention (core's planHistoryPrune), after the cost rollup: entries older than
 * `statusHistoryRetentionDays` are deleted once every month their time bills in has a final
 * rollup, in bounded batches. An old month without a final rollup (e.g. from before costs were
 * rolled up) is rolled up first from the history as it still is; its entries go on a later run.
 * `histories` is what the rollup read (it has counted it).
 */
export async function pruneStatusHistory(
  deps: UseCaseDeps,
  config: PoolConfig,
  histories: readonly VmStatusHistory[],
  vms: readonly VmRecord[],
): Promise<HistoryRetentionReport> {
  const now = deps.clock.now();
  const retentionDays = config.statusHistoryRetentionDays;
  const recordedVmIds = new Set(vms.map((vm) => vm.vmId));
  const rolledUpThrough: Record<string, number> = {};
  for (const month of retentionMonthsToCheck(histories, now, retentionDays, recordedVmIds)) {
    const through = await deps.store.readMonthlyCostThrough(month);
    if (through !== null) rolledUpThrough[month] = through;
    if (through === null || through < costMonthRange(month).to) break;
  }
  const costMonthsFinalised: string[] = [];
  let plan = planHistoryPrune({ histories, now, retentionDays, rolledUpThrough, recordedVmIds });
  const prices = priceLookup(config);
  while (plan.rollUpFirst !== null && costMonthsFinalised.length < MONTHS_ROLLED_UP_PER_RUN) {
    const month = plan.rollUpFirst;
    const cost = monthlyCost({ month, histories, prices, through: now, updatedAt: now });
    await deps.store.writeMonthlyCost(cost);
    costMonthsFinalised.push(month);
    rolledUpThrough[month] = cost.through;
    const next = costMonthRange(month).to;
    for (const later of retentionMonthsToCheck(histories, now, retentionDays, recordedVmIds)) {
      if (costMonthRange(later).from < next || later in rolledUpThrough) continue;
      const through = await deps.store.readMonthlyCostThrough(later);
      if (through !== null) rolledUpThrough[later] = through;
      if (through === null || through < costMonthRange(later).to) break;
    }
    plan = planHistoryPrune({ histories, now, retentionDays, rolledUpThrough, recordedVmIds });
  }
  if (plan.prune.length > 0) {
    await deps.store.deleteStatusHistoryEntries(plan.prune);
    deps.logger.info('status history pruned', {
      pruned: plan.prune.length,
      remaining: plan.remaining,
      cutoff: plan.cutoff,
    });
  }
  return {
    historyPruned: plan.prune.length,
    historyPruneRemaining: plan.remaining,
    costMonthsFinalised,
  };
}
