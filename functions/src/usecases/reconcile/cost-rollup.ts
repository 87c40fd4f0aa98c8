import {
  costMonthOf,
  costMonthRange,
  monthlyCost,
  priceLookup,
  statusHistoryEntryOf,
  type PoolConfig,
  type VmRecord,
  type VmStatusHistory,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { billedInstanceType } from '../../store/rtdb/status-history';

export interface CostRollupReport {
  /** The months written to `vmPool/costs`. */
  costMonths: string[];
  /** VMs whose status was newer than their last history entry (a crash between the two writes). */
  historyRepaired: number;
}

/**
 * Keeps `vmPool/costs/{yyyy-mm}` up to date from the status history (core's monthlyCost): the
 * current month on every run, and the previous one until it has been rolled up to its end.
 * First it closes gaps in the history: a VM whose status changed after its last entry (the
 * history write lost to a crash) gets an entry for the status it is in.
 */
export async function rollUpCosts(
  deps: UseCaseDeps,
  config: PoolConfig,
  vms: VmRecord[],
): Promise<CostRollupReport & { histories: VmStatusHistory[] }> {
  const now = deps.clock.now();
  const { vms: histories, errors } = await deps.store.listStatusHistory();
  if (errors.length > 0) {
    deps.logger.warn('status history entries left out of the bill', {
      errors: errors.slice(0, 20),
    });
  }
  const byVm = new Map<string, VmStatusHistory>(
    histories.map((history) => [history.vmId, history]),
  );
  let historyRepaired = 0;
  for (const vm of vms) {
    const history = byVm.get(vm.vmId) ?? { vmId: vm.vmId, entries: [] };
    const last = history.entries.at(-1);
    if (last !== undefined && last.at >= vm.statusChangedAt) continue;
    const entry = statusHistoryEntryOf(vm, 'repaired', billedInstanceType(vm, config.instanceType));
    await deps.store.appendStatusHistory(vm.vmId, entry);
    byVm.set(vm.vmId, { vmId: vm.vmId, entries: [...history.entries, entry] });
    historyRepaired += 1;
  }

  const all = [...byVm.values()];
  const month = costMonthOf(now);
  const months = [month];
  const previous = costMonthOf(costMonthRange(month).from - 1);
  const previousEnd = costMonthRange(previous).to;
  const hasEarlier = all.some((history) => history.entries.some((entry) => entry.at < previousEnd));
  if (hasEarlier && ((await deps.store.readMonthlyCostThrough(previous)) ?? 0) < previousEnd) {
    months.unshift(previous);
  }
  const prices = priceLookup(config);
  for (const m of months) {
    await deps.store.writeMonthlyCost(
      monthlyCost({ month: m, histories: all, prices, through: now, updatedAt: now }),
    );
  }
  // The histories as rolled up: status history retention prunes only what they counted.
  return { costMonths: months, historyRepaired, histories: all };
}
