import type { BootStatsTree, CompetitionCost, MonthlyCost, VmStatusHistory } from '@vmpool/core';
import { useEffect, useState } from 'react';
import { useSession } from '../../../lib/session';
import {
  watchBootStats,
  watchCompetitionCost,
  watchMonthlyCost,
  watchRequestRows,
  watchStatusHistory,
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
  histories: VmStatusHistory[];
  requests: RequestRow[];
  bootStats: BootStatsTree;
  isLoading: boolean;
  error: string | null;
}

/** Status history, requests and boot stats (admins only). */
export function useInsightsData(): InsightsData {
  const { db } = useSession();
  const [histories, setHistories] = useState<VmStatusHistory[] | null>(null);
  const [requests, setRequests] = useState<RequestRow[] | null>(null);
  const [bootStats, setBootStats] = useState<BootStatsTree | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const stops = [
      watchStatusHistory(db, setHistories, setError),
      watchRequestRows(db, setRequests, setError),
      watchBootStats(db, setBootStats, setError),
    ];
    return () => stops.forEach((stop) => stop());
  }, [db]);
  return {
    histories: histories ?? [],
    requests: requests ?? [],
    bootStats: bootStats ?? {},
    isLoading: (histories === null || requests === null || bootStats === null) && error === null,
    error,
  };
}
