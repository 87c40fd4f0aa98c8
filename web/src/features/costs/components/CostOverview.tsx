/**
 * The cost of a month: its total, the idle share, per day (show and idle), per show and per VM,
 * and what the scheduled shows still to come are projected to cost. Charts first, the figures
 * behind them in tables.
 */
import type { CompetitionCost, MonthlyCost, ShowCostProjection } from '@vmpool/core';
import { BarChart } from '../../../components/BarChart';

export function formatUsd(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

function hours(seconds: number): string {
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function CostOverview({
  month,
  cost,
  competitions,
  names,
  projections,
}: {
  month: string;
  /** The whole month (admins); null for producers, who see only their shows. */
  cost: MonthlyCost | null;
  competitions: Record<string, CompetitionCost | null>;
  names: Record<string, string>;
  projections: readonly ShowCostProjection[];
}) {
  const shows = Object.entries(competitions)
    .flatMap(([id, figure]) => (figure === null ? [] : [{ id, ...figure }]))
    .sort((a, b) => b.usd - a.usd);
  const showsUsd = shows.reduce((sum, show) => sum + show.usd, 0);
  const idleShare = cost === null || cost.total.usd === 0 ? null : cost.idle.usd / cost.total.usd;
  const days =
    cost === null ? [] : Object.entries(cost.days).sort(([a], [b]) => a.localeCompare(b));
  const vms = cost === null ? [] : Object.entries(cost.vms).sort(([a], [b]) => a.localeCompare(b));
  const projected = projections.reduce((sum, entry) => sum + (entry.usd ?? 0), 0);
  const nameOf = (id: string) => names[id] ?? id;

  return (
    <div className="cost-overview">
      <div className="stat-row" aria-label="Month summary">
        <div className="stat panel">
          <span className="muted">{cost === null ? 'Your shows' : 'This month'}</span>
          <strong data-testid="month-total">{formatUsd(cost?.total.usd ?? showsUsd)}</strong>
          <span className="muted">{month}</span>
        </div>
        {cost !== null && (
          <div className="stat panel">
            <span className="muted">Idle share</span>
            <strong data-testid="idle-share">
              {idleShare === null ? '–' : `${Math.round(idleShare * 100)}%`}
            </strong>
            <span className="muted">{formatUsd(cost.idle.usd)} with no show holding a VM</span>
          </div>
        )}
        <div className="stat panel">
          <span className="muted">Projected, scheduled shows</span>
          <strong data-testid="projected-total">{formatUsd(projected)}</strong>
          <span className="muted">
            {projections.length} show{projections.length === 1 ? '' : 's'} to come
          </span>
        </div>
      </div>
      {cost !== null && cost.unpriced.billableSeconds > 0 && (
        <div className="callout callout-error" role="alert">
          {hours(cost.unpriced.billableSeconds)} of {cost.unpriced.instanceTypes.join(', ')} have no
          price and are not in these figures: set them in the pool config (hourly prices).
        </div>
      )}
      {cost !== null && (
        <BarChart
          title="Per day"
          bars={days.map(([day, figure]) => ({
            label: day.slice(8),
            value: figure.usd,
            part: figure.idleUsd,
          }))}
          format={formatUsd}
          valueLabel="total"
          partLabel="idle"
        />
      )}
      <BarChart
        title="Per show"
        bars={shows.map((show) => ({ label: nameOf(show.id), value: show.usd }))}
        format={formatUsd}
      />
      <table className="table" aria-label="Cost per show">
        <thead>
          <tr>
            <th>Show</th>
            <th>VM time</th>
            <th>Cost</th>
            <th>VMs</th>
          </tr>
        </thead>
        <tbody>
          {shows.length === 0 ? (
            <tr>
              <td colSpan={4} className="muted">
                No show has billed VM time this month.
              </td>
            </tr>
          ) : (
            shows.map((show) => (
              <tr key={show.id}>
                <td>{nameOf(show.id)}</td>
                <td>{hours(show.billableSeconds)}</td>
                <td>{formatUsd(show.usd)}</td>
                <td className="mono">{Object.keys(show.vms).sort().join(', ')}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      {cost !== null && (
        <>
          <BarChart
            title="Per VM"
            bars={vms.map(([vmId, figure]) => ({
              label: vmId,
              value: figure.usd,
              part: figure.idleUsd,
            }))}
            format={formatUsd}
            valueLabel="total"
            partLabel="idle"
          />
          <table className="table" aria-label="Cost per VM">
            <thead>
              <tr>
                <th>VM</th>
                <th>Type</th>
                <th>Billable</th>
                <th>Cost</th>
                <th>Idle</th>
              </tr>
            </thead>
            <tbody>
              {vms.map(([vmId, figure]) => (
                <tr key={vmId}>
                  <td className="mono">{vmId}</td>
                  <td>{figure.instanceType}</td>
                  <td>{hours(figure.billableSeconds)}</td>
                  <td>{formatUsd(figure.usd)}</td>
                  <td>
                    {formatUsd(figure.idleUsd)} ({hours(figure.idleSeconds)})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <table className="table" aria-label="Projected cost of scheduled shows">
        <thead>
          <tr>
            <th>Scheduled show</th>
            <th>VM hours</th>
            <th>Projected</th>
          </tr>
        </thead>
        <tbody>
          {projections.length === 0 ? (
            <tr>
              <td colSpan={3} className="muted">
                No scheduled show to come. Set show times on a competition to plan its VM.
              </td>
            </tr>
          ) : (
            projections.map((entry) => (
              <tr key={entry.competitionId}>
                <td>{nameOf(entry.competitionId)}</td>
                <td>{entry.hours.toFixed(1)} h</td>
                <td>
                  {entry.usd === null ? `no price for ${entry.instanceType}` : formatUsd(entry.usd)}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
