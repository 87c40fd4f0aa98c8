/**
 * `vmPool/costs/{month}` (admins: the whole month; producers: their competitions' entries),
 * `vmPool/statusHistory`, `vmPool/bootStats` and `vmPool/requests` for the insights (admins),
 * parsed with core's validators.
 */
import {
  parseBootStats,
  parseCompetitionCost,
  parseMonthlyCost,
  parseStatusHistory,
  paths,
  type BootStats,
  type BootStatsTree,
  type CompetitionCost,
  type MonthlyCost,
  type VmStatusHistory,
} from '@vmpool/core';
import type { Database } from 'firebase/database';
import { watchValue, type Unsubscribe } from '../../../lib/rtdb';
import { requestRowOf, type RequestRow } from '../lib/insights';

/** The month's cost; null while the control plane has not rolled it up. */
export function watchMonthlyCost(
  db: Database,
  month: string,
  onData: (cost: MonthlyCost | null) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return watchValue(
    db,
    paths.monthlyCost(month),
    (raw) => {
      if (raw === null) return onData(null);
      const parsed = parseMonthlyCost(raw);
      if (parsed.ok) onData(parsed.value);
      else onError(`vmPool/costs/${month} is invalid: ${parsed.errors.join('; ')}`);
    },
    onError,
  );
}

/** One competition's cost in the month (what its producers may read); null when none. */
export function watchCompetitionCost(
  db: Database,
  month: string,
  competitionId: string,
  onData: (cost: CompetitionCost | null) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return watchValue(
    db,
    paths.competitionCost(month, competitionId),
    (raw) => {
      if (raw === null) return onData(null);
      const parsed = parseCompetitionCost(raw);
      if (parsed.ok) onData(parsed.value);
      else onError(`the cost of ${competitionId} is invalid: ${parsed.errors.join('; ')}`);
    },
    onError,
  );
}

export function watchStatusHistory(
  db: Database,
  onData: (histories: VmStatusHistory[]) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return watchValue(
    db,
    paths.statusHistory(),
    (raw) => onData(parseStatusHistory(raw).vms),
    onError,
  );
}

export function watchBootStats(
  db: Database,
  onData: (stats: BootStatsTree) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return watchValue(
    db,
    paths.bootStats(),
    (raw) => {
      const tree: Record<string, Record<string, BootStats>> = {};
      if (typeof raw === 'object' && raw !== null) {
        for (const [region, byType] of Object.entries(raw as Record<string, unknown>)) {
          if (typeof byType !== 'object' || byType === null) continue;
          for (const [key, value] of Object.entries(byType as Record<string, unknown>)) {
            const parsed = parseBootStats(value);
            if (parsed.ok) (tree[region] ??= {})[key] = parsed.value;
          }
        }
      }
      onData(tree);
    },
    onError,
  );
}

export function watchRequestRows(
  db: Database,
  onData: (rows: RequestRow[]) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return watchValue(
    db,
    paths.requests(),
    (raw) => {
      const rows =
        typeof raw === 'object' && raw !== null
          ? Object.entries(raw as Record<string, unknown>).flatMap(([id, value]) => {
              const row = requestRowOf(id, value);
              return row === null ? [] : [row];
            })
          : [];
      onData(rows);
    },
    onError,
  );
}
