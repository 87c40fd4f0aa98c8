/** `/admin/insights`: pool insights (PRD §9.1 pool level) over the last 30 days, as charts. */
import { bootEstimate, costMonthsBetween } from '@vmpool/core';
import { useMemo } from 'react';
import { ErrorState, LoadingState } from '../../components/StateBox';
import {
  daysBetween,
  InsightsView,
  requestsPerDay,
  timeToReady,
  useInsightsData,
  utilisationPerDay,
} from '../../features/costs';
import { useNow } from '../../hooks/useNow';

const WINDOW_DAYS = 30;

export function InsightsPage() {
  const now = useNow(60_000);
  const days = useMemo(() => daysBetween(now - (WINDOW_DAYS - 1) * 86_400_000, now), [now]);
  // The window's first UTC midnight: steady for a day, so the range is read once a day.
  const from = Date.parse(`${days[0] ?? ''}T00:00:00Z`);
  const monthsKey = costMonthsBetween(from, now + 1).join('|');
  const months = useMemo(() => monthsKey.split('|'), [monthsKey]);
  const data = useInsightsData(from, months);
  const perDay = useMemo(() => requestsPerDay(data.requests, days), [data.requests, days]);
  const readyTimes = useMemo(() => timeToReady(data.requests), [data.requests]);
  const utilisation = useMemo(() => utilisationPerDay(data.months, days), [data.months, days]);
  const boots = Object.entries(data.bootStats).flatMap(([region, byType]) =>
    Object.entries(byType).map(([key, stats]) => ({
      region,
      key,
      start: bootEstimate(stats.start, 0),
      launch: bootEstimate(stats.launch, 0),
      samples: stats,
    })),
  );
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Pool insights</h1>
          <p>The last {WINDOW_DAYS} days: assignments, time to ready, errors and utilisation.</p>
        </div>
      </div>
      {data.error !== null && (
        <ErrorState title="Insights could not be loaded." message={data.error} />
      )}
      {data.isLoading ? (
        <LoadingState label="Loading insights…" />
      ) : (
        <>
          <InsightsView perDay={perDay} readyTimes={readyTimes} utilisation={utilisation} />
          <table className="table" aria-label="Measured start-to-ready times">
            <thead>
              <tr>
                <th>Region</th>
                <th>Type</th>
                <th>Starts (p50 / p90)</th>
                <th>Launches (p50 / p90)</th>
              </tr>
            </thead>
            <tbody>
              {boots.length === 0 ? (
                <tr>
                  <td colSpan={4} className="muted">
                    No start measured yet: the schedule uses the configured warm-up time.
                  </td>
                </tr>
              ) : (
                boots.map((boot) => (
                  <tr key={`${boot.region}/${boot.key}`}>
                    <td>{boot.region}</td>
                    <td>{boot.key.replace('_', '.')}</td>
                    <td>
                      {boot.samples.start.length === 0
                        ? '–'
                        : `${Math.round(boot.start.p50Ms / 1000)} s / ${Math.round(boot.start.p90Ms / 1000)} s (${boot.samples.start.length})`}
                    </td>
                    <td>
                      {boot.samples.launch.length === 0
                        ? '–'
                        : `${Math.round(boot.launch.p50Ms / 1000)} s / ${Math.round(boot.launch.p90Ms / 1000)} s (${boot.samples.launch.length})`}
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
