/**
 * The show's schedule on its competition card: when it starts and ends (local time), and an
 * editor for admins and the competition's producers. The control plane has a VM ready
 * `preWarmMinutes` before the start and releases it `autoReleaseAfterMinutes` after the end.
 */
import { useState, type FormEvent } from 'react';
import { Spinner } from '../../../components/StateBox';
import { formatDuration } from '../../../lib/format';
import { useSession } from '../../../lib/session';
import { writeShowTimes, type CompetitionSummary } from '../api/competitions';

/** `yyyy-mm-ddThh:mm` in local time, as `<input type="datetime-local">` takes it. */
export function toLocalInput(at: number | null): string {
  if (at === null) return '';
  const date = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(
    date.getHours(),
  )}:${pad(date.getMinutes())}`;
}

/** The ms epoch of a `datetime-local` value (local time); null for an empty or broken one. */
export function fromLocalInput(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const at = new Date(value).getTime();
  return Number.isFinite(at) ? at : null;
}

export function formatShowTime(at: number): string {
  return new Date(at).toLocaleString([], {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** What is wrong with the entered times, or null when they can be saved. */
export function showTimesProblem(start: string, end: string): string | null {
  if (start === '' && end === '') return null;
  const startsAt = fromLocalInput(start);
  const endsAt = fromLocalInput(end);
  if (startsAt === null) return 'Enter when the show starts.';
  if (endsAt === null) return 'Enter when the show ends.';
  if (endsAt <= startsAt) return 'The end must come after the start.';
  return null;
}

export function ShowTimesEditor({
  competition,
  canEdit,
  now,
}: {
  competition: CompetitionSummary;
  canEdit: boolean;
  now: number;
}) {
  const { db } = useSession();
  const [editing, setEditing] = useState(false);
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { startsAt, endsAt } = competition;
  const scheduled = startsAt !== null && endsAt !== null;
  const problem = showTimesProblem(start, end);

  const open = () => {
    setStart(toLocalInput(startsAt));
    setEnd(toLocalInput(endsAt));
    setError(null);
    setEditing(true);
  };

  const save = async (times: { startsAt: number | null; endsAt: number | null }) => {
    setSaving(true);
    setError(null);
    try {
      await writeShowTimes(db, competition.id, times);
      setEditing(false);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setSaving(false);
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (problem !== null) return;
    void save({ startsAt: fromLocalInput(start), endsAt: fromLocalInput(end) });
  };

  return (
    <div className="show-times" aria-label="Show schedule">
      {!editing && (
        <div className="comp-meta">
          {scheduled ? (
            <>
              Show {formatShowTime(startsAt)} – {formatShowTime(endsAt)} (
              {formatDuration(endsAt - startsAt)})
              {now < startsAt
                ? ` · starts in ${formatDuration(startsAt - now)}`
                : now < endsAt
                  ? ' · on now'
                  : ' · ended'}
            </>
          ) : (
            'Not scheduled: a VM is ready only when someone assigns one.'
          )}
          {canEdit && (
            <button type="button" className="btn btn-small" onClick={open}>
              {scheduled ? 'Edit times' : 'Set show times'}
            </button>
          )}
        </div>
      )}
      {editing && (
        <form className="show-times-form" onSubmit={onSubmit} aria-label="Show times">
          <label>
            Starts
            <input
              type="datetime-local"
              value={start}
              onChange={(event) => setStart(event.target.value)}
            />
          </label>
          <label>
            Ends
            <input
              type="datetime-local"
              value={end}
              onChange={(event) => setEnd(event.target.value)}
            />
          </label>
          {problem !== null && (start !== '' || end !== '') && (
            <div className="callout callout-error" role="alert">
              {problem}
            </div>
          )}
          {error !== null && (
            <div className="callout callout-error" role="alert">
              The times could not be saved: {error}
            </div>
          )}
          <div className="btn-row">
            <button
              type="submit"
              className="btn btn-primary btn-small"
              disabled={saving || problem !== null || (start === '' && end === '')}
            >
              {saving && <Spinner />}
              Save
            </button>
            {scheduled && (
              <button
                type="button"
                className="btn btn-small"
                disabled={saving}
                onClick={() => void save({ startsAt: null, endsAt: null })}
              >
                Clear schedule
              </button>
            )}
            <button
              type="button"
              className="btn btn-small"
              disabled={saving}
              onClick={() => setEditing(false)}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
