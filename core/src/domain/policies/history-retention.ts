// Status history retention (issue 13): which `vmPool/statusHistory` entries may go. Cost is
// computed from the history, so an entry goes only once every month its time bills in has a
// final rollup (`vmPool/costs/{month}` with `through` at the month's end), and each VM keeps the
// entry that says what it was doing at the cutoff (later months are computed from it).
import { costMonthOf, costMonthRange } from '../../contract/costs';
import type { PoolConfig } from '../../contract/pool-config';
import type { StatusHistoryEntry, VmStatusHistory } from '../../contract/status-history';
import { isBillableInterval } from './cost';

const DAY_MS = 86_400_000;

/** At most this many entries are pruned per reconcile run (the rest wait for the next run). */
export const STATUS_HISTORY_PRUNE_BATCH = 500;

/** One entry to delete. */
export interface HistoryPrune {
  vmId: string;
  entry: StatusHistoryEntry;
}

export interface HistoryPrunePlan {
  /** Entries older than this may go (ms epoch): the retention, held back by unfinished rollups. */
  cutoff: number;
  /**
   * A whole month before the retention cutoff whose rollup is missing or unfinished (e.g. from
   * before costs were rolled up): roll it up first; its entries stay until then.
   */
  rollUpFirst: string | null;
  /** Oldest first, at most `maxEntries`. */
  prune: HistoryPrune[];
  /** Prunable entries left for later runs. */
  remaining: number;
}

/**
 * Per VM, the entries before `cutoff` that may go: all but the newest (it says what the VM was
 * doing at the cutoff), which goes too when it closed the history of a terminated VM (billing
 * nothing, nothing after it) whose record is gone (`recorded` holds the VMs that still have
 * one: the cost rollup would repair an empty history). Oldest first.
 */
function candidatesBefore(
  histories: readonly VmStatusHistory[],
  cutoff: number,
  recorded: ReadonlySet<string>,
): HistoryPrune[] {
  const candidates: HistoryPrune[] = [];
  for (const history of histories) {
    const before = history.entries.filter((entry) => entry.at < cutoff).sort((a, b) => a.at - b.at);
    const newest = before.at(-1);
    if (newest === undefined) continue;
    const closed =
      !recorded.has(history.vmId) &&
      newest.ec2State === 'terminated' &&
      !isBillableInterval(newest) &&
      before.length === history.entries.length;
    for (const entry of closed ? before : before.slice(0, -1)) {
      candidates.push({ vmId: history.vmId, entry });
    }
  }
  return candidates.sort((a, b) => a.entry.at - b.entry.at || a.vmId.localeCompare(b.vmId));
}

/**
 * The months whose rollup decides the cutoff: from the month of the oldest entry the retention
 * alone would let go to the month of now - retention, oldest first; none when nothing is that
 * old (so a pool with nothing to prune reads nothing). The caller reads each one's `through`.
 */
export function retentionMonthsToCheck(
  histories: readonly VmStatusHistory[],
  now: number,
  retentionDays: PoolConfig['statusHistoryRetentionDays'],
  recordedVmIds: ReadonlySet<string> = new Set(),
): string[] {
  const wanted = now - retentionDays * DAY_MS;
  const oldest = candidatesBefore(histories, wanted, recordedVmIds)[0];
  if (oldest === undefined) return [];
  const months: string[] = [];
  for (let month = costMonthOf(oldest.entry.at); ;) {
    months.push(month);
    const { to } = costMonthRange(month);
    if (to > wanted) break;
    month = costMonthOf(to);
  }
  return months;
}

/**
 * What may be pruned now. `rolledUpThrough` holds the stored `through` of the months
 * retentionMonthsToCheck() named (absent: no rollup). The cutoff is now - retentionDays, but
 * never later than the start of the oldest of those months whose rollup is not final, so
 * nothing the bill has not counted goes; then candidatesBefore() the cutoff go, oldest first.
 */
export function planHistoryPrune(input: {
  histories: readonly VmStatusHistory[];
  now: number;
  retentionDays: PoolConfig['statusHistoryRetentionDays'];
  rolledUpThrough: Readonly<Record<string, number>>;
  /** VMs that still have a record in `vmPool/vms`. */
  recordedVmIds?: ReadonlySet<string>;
  maxEntries?: number;
}): HistoryPrunePlan {
  const recorded = input.recordedVmIds ?? new Set<string>();
  const maxEntries = input.maxEntries ?? STATUS_HISTORY_PRUNE_BATCH;
  let cutoff = input.now - input.retentionDays * DAY_MS;
  let rollUpFirst: string | null = null;
  for (const month of retentionMonthsToCheck(
    input.histories,
    input.now,
    input.retentionDays,
    recorded,
  )) {
    const { from, to } = costMonthRange(month);
    if ((input.rolledUpThrough[month] ?? Number.NEGATIVE_INFINITY) >= to) continue;
    cutoff = Math.min(cutoff, from);
    if (to <= input.now) rollUpFirst = month;
    break;
  }

  const candidates = candidatesBefore(input.histories, cutoff, recorded);
  return {
    cutoff,
    rollUpFirst,
    prune: candidates.slice(0, Math.max(0, maxEntries)),
    remaining: Math.max(0, candidates.length - maxEntries),
  };
}
