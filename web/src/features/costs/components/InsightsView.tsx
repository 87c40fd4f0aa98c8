/**
 * Pool insights (PRD §9.1 pool level) as charts: assignments per day, time to ready (warm,
 * cold, launch: p50 and p90), the error rate of requests per day, and utilisation over time.
 */
import { BarChart } from '../../../components/BarChart';
import type { DayCount, DayUtilisation, ReadyTimes } from '../lib/insights';

const seconds = (value: number) => `${Math.round(value)} s`;
const percent = (value: number) => `${Math.round(value * 100)}%`;

export function InsightsView({
  perDay,
  readyTimes,
  utilisation,
}: {
  perDay: readonly DayCount[];
  readyTimes: readonly ReadyTimes[];
  utilisation: readonly DayUtilisation[];
}) {
  const label = (day: string) => day.slice(5);
  return (
    <div className="insights">
      <BarChart
        title="Assignments per day"
        bars={perDay.map((entry) => ({ label: label(entry.day), value: entry.assignments }))}
        format={(value) => String(Math.round(value))}
        valueLabel="assignments"
      />
      <BarChart
        title="Time to ready (p90, with p50 inside)"
        bars={readyTimes.map((entry) => ({
          label: `${entry.via} (${entry.count})`,
          value: entry.p90 ?? 0,
          part: entry.p50 ?? 0,
        }))}
        format={seconds}
        valueLabel="p90"
        partLabel="p50"
      />
      <table className="table" aria-label="Time to ready">
        <thead>
          <tr>
            <th>VM came</th>
            <th>Assignments</th>
            <th>p50</th>
            <th>p90</th>
          </tr>
        </thead>
        <tbody>
          {readyTimes.map((entry) => (
            <tr key={entry.via}>
              <td>{entry.via}</td>
              <td>{entry.count}</td>
              <td>{entry.p50 === null ? '–' : seconds(entry.p50)}</td>
              <td>{entry.p90 === null ? '–' : seconds(entry.p90)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <BarChart
        title="Error rate of requests per day"
        bars={perDay.map((entry) => ({ label: label(entry.day), value: entry.errorRate ?? 0 }))}
        format={percent}
        valueLabel="failed"
        maxValue={1}
      />
      <BarChart
        title="Utilisation per day (share of billable VM time a show held)"
        bars={utilisation.map((entry) => ({
          label: label(entry.day),
          value: entry.utilisation ?? 0,
        }))}
        format={percent}
        valueLabel="held"
        maxValue={1}
      />
    </div>
  );
}
