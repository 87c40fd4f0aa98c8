import type { BootStatsTree, CompetitionCost, MonthlyCost } from '@vmpool/core';
import { useEffect, useState } from 'react';
import { useSession } from '../../../lib/session';
import {
  watchBootStats,
  watchCompetitionCost,
  watchMonthlyCost,
  watchRequestRows,
} from '../api/costs';
import type { RequestRow } from '../lib/insights';

export interface CostsView {
  /** Admins: the whole month (null until rolled up). Producers: null. */
  month: MonthlyCost | null;
  /** Each listed competition's cost in the month (null: nothing billed to it). */
  competitions: Record<string, CompetitionCost | null>;
  isLoading: boolean;
  error: string | null;
}

/** Admins read the whole month; producers read their competitions' entries. */
export function useCosts(month: string, competitionIds: readonly string[]): CostsView {
  const { db, user } = useSession();
  const isAdmin = user.roles.admin;
  const key = `${month}#${competitionIds.join('|')}`;
  // Kept per month and competition list: figures of another month never show as this one's.
  const [state, setState] = useState<{
    key: string;
    month: MonthlyCost | null | undefined;
    competitions: Record<string, CompetitionCost | null>;
    error: string | null;
  }>({ key, month: undefined, competitions: {}, error: null });

  useEffect(() => {
    const fresh = { key, month: undefined, competitions: {}, error: null };
    const onError = (error: string) =>
      setState((current) => ({ ...(current.key === key ? current : fresh), error }));
    if (isAdmin) {
      return watchMonthlyCost(db, month, (cost) => setState({ ...fresh, month: cost }), onError);
    }
    const ids = (key.split('#')[1] ?? '').split('|').filter((id) => id !== '');
    const stops = ids.map((id) =>
      watchCompetitionCost(
        db,
        month,
        id,
        (cost) =>
          setState((current) => {
            const base = current.key === key ? current : fresh;
            return { ...base, month: null, competitions: { ...base.competitions, [id]: cost } };
          }),
        onError,
      ),
    );
    return () => stops.forEach((stop) => stop());
  }, [db, isAdmin, month, key]);

  const current = state.key === key ? state : { month: undefined, competitions: {}, error: null };
  const competitions = isAdmin ? (current.month?.competitions ?? {}) : current.competitions;
  const waiting = isAdmin
    ? current.month === undefined
    : competitionIds.some((id) => !(id in current.competitions));
  return {
    month: current.month ?? null,
    competitions,
    isLoading: waiting && current.error === null,
    error: current.error,
  };
}

export interface InsightsData {
  /** The rollups of the window's months (a month not rolled up yet is left out). */
  months: MonthlyCost[];
  /** The requests made since the window's start. */
  requests: RequestRow[];
  bootStats: BootStatsTree;
  isLoading: boolean;
  error: string | null;
}

/**
 * What the pool insights read (admins only), all bounded by the window rather than by the
 * season: the monthly cost rollups of `months`, the requests made since `from` (an indexed
 * range), and the boot stats. Keep `from` steady (the window's first day), so the range is not
 * read again on every render.
 */
export function useInsightsData(from: number, months: readonly string[]): InsightsData {
  const { db } = useSession();
  const monthsKey = months.join('|');
  const [rollups, setRollups] = useState<{
    key: string;
    byMonth: Record<string, MonthlyCost | null>;
  }>({ key: monthsKey, byMonth: {} });
  const [requests, setRequests] = useState<{ from: number; rows: RequestRow[] } | null>(null);
  const [bootStats, setBootStats] = useState<BootStatsTree | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const stops = [
      watchRequestRows(db, from, (rows) => setRequests({ from, rows }), setError),
      watchBootStats(db, setBootStats, setError),
    ];
    return () => stops.forEach((stop) => stop());
  }, [db, from]);
  useEffect(() => {
    const stops = monthsKey
      .split('|')
      .filter((month) => month !== '')
      .map((month) =>
        watchMonthlyCost(
          db,
          month,
          (cost) =>
            setRollups((current) => ({
              key: monthsKey,
              byMonth: { ...(current.key === monthsKey ? current.byMonth : {}), [month]: cost },
            })),
          setError,
        ),
      );
    return () => stops.forEach((stop) => stop());
  }, [db, monthsKey]);
  const byMonth = rollups.key === monthsKey ? rollups.byMonth : {};
  const monthsLoaded = months.every((month) => month in byMonth);
  const rows = requests !== null && requests.from === from ? requests.rows : null;
  return {
    months: months.flatMap((month) => {
      const cost = byMonth[month];
      return cost === undefined || cost === null ? [] : [cost];
    }),
    requests: rows ?? [],
    bootStats: bootStats ?? {},
    isLoading: (!monthsLoaded || rows === null || bootStats === null) && error === null,
    error,
  };
}
