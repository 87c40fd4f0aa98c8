/**
 * `/costs`: what VMs cost this month (admins: everything, with idle share and per VM;
 * producers: their shows) and the projection for the scheduled shows still to come.
 */
import { bootLeads, costMonthOf, costMonthRange, projectScheduleCost } from '@vmpool/core';
import { useMemo, useState } from 'react';
import { ErrorState, LoadingState } from '../../components/StateBox';
import type { CompetitionsView } from '../../features/competitions';
import { CostOverview, useCosts } from '../../features/costs';
import { useVMPool } from '../../features/pool';
import { useNow } from '../../hooks/useNow';
import { useSession } from '../../lib/session';

function shiftMonth(month: string, by: number): string {
  const { from, to } = costMonthRange(month);
  return costMonthOf(by < 0 ? from - 1 : to);
}

export function CostPage({ competitions }: { competitions: CompetitionsView }) {
  const { user } = useSession();
  const now = useNow(60_000);
  const [month, setMonth] = useState(() => costMonthOf(now));
  const ids = useMemo(
    () => competitions.competitions.map((competition) => competition.id),
    [competitions.competitions],
  );
  const costs = useCosts(month, ids);
  const pool = useVMPool();
  const names = Object.fromEntries(competitions.competitions.map((c) => [c.id, c.name]));
  const projections = useMemo(() => {
    if (pool.poolConfig === null) return [];
    const shows = competitions.competitions.flatMap((c) =>
      c.startsAt !== null && c.endsAt !== null
        ? [{ competitionId: c.id, startsAt: c.startsAt, endsAt: c.endsAt }]
        : [],
    );
    return projectScheduleCost({
      now,
      shows,
      config: pool.poolConfig,
      // Producers may not read boot stats: the configured warm-up time stands in for them.
      bootLeadMs: bootLeads({}, pool.poolConfig),
    });
  }, [competitions.competitions, pool.poolConfig, now]);

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Costs</h1>
          <p>
            {user.roles.admin
              ? 'EC2 instance time billed this month, by show, by VM and idle, from every VM status change.'
              : 'What your shows have cost this month, and what the scheduled ones will.'}
          </p>
        </div>
        <div className="btn-row">
          <button
            type="button"
            className="btn btn-small"
            onClick={() => setMonth(shiftMonth(month, -1))}
          >
            ← Earlier
          </button>
          <span aria-label="Month shown">{month}</span>
          <button
            type="button"
            className="btn btn-small"
            disabled={month >= costMonthOf(now)}
            onClick={() => setMonth(shiftMonth(month, 1))}
          >
            Later →
          </button>
        </div>
      </div>
      {costs.error !== null && (
        <ErrorState title="Costs could not be loaded." message={costs.error} />
      )}
      {costs.isLoading || competitions.isLoading ? (
        <LoadingState label="Loading costs…" />
      ) : user.roles.admin && costs.month === null ? (
        <div className="panel muted">
          No cost rolled up for {month} yet: the control plane writes it on every reconcile.
        </div>
      ) : (
        <CostOverview
          month={month}
          cost={costs.month}
          competitions={costs.competitions}
          names={names}
          projections={projections}
        />
      )}
    </div>
  );
}
