/**
 * `vmPool/costs/{month}` (admins: the whole month; producers: their competitions' entries),
 * `vmPool/bootStats` and the requests of the insights' window (admins), parsed with core's
 * validators. Insights never read a whole tree that grows with the season: utilisation comes
 * from the monthly cost rollups (`days`), requests from an indexed range on `requestedAt`.
 */
import {
  parseBootStats,
  parseCompetitionCost,
  parseMonthlyCost,
  paths,
  type BootStats,
  type BootStatsTree,
  type CompetitionCost,
  type MonthlyCost,
} from '@vmpool/core';
import type { Database } from 'firebase/database';
import { watchFrom, watchValue, type Unsubscribe } from '../../../lib/rtdb';
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

/**
 * The requests made at or after `from` (ms epoch), served by the `requestedAt` index
 * (database.rules.json): the window's rows only, however many seasons the pool has run.
 */
export function watchRequestRows(
  db: Database,
  from: number,
  onData: (rows: RequestRow[]) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return watchFrom(
    db,
    paths.requests(),
    'requestedAt',
    from,
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
