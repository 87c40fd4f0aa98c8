/**
 * Competitions the signed-in user may see: every competition for admins, the ones listed in
 * `producerAccess/{uid}` for producers. Only the `config` of each competition is used.
 */
import { parseCompetitionConfig, paths } from '@vmpool/core';
import type { Database } from 'firebase/database';
import { updateValues, watchValue, type Unsubscribe } from '../../../lib/rtdb';

export interface CompetitionSummary {
  id: string;
  /** The existing app's `eventName`, or the id when there is none. */
  name: string;
  meetDate: string | null;
  venue: string | null;
  gender: string | null;
  /** Set by the control plane on assignment, removed on release. */
  vmId: string | null;
  vmAddress: string | null;
  /** The show's schedule (ms epoch), set by admins and the competition's producers. */
  startsAt: number | null;
  endsAt: number | null;
  /** Set when the stored config breaks the contract; its VM fields are then ignored. */
  problem: string | null;
}

function optionalText(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

export function competitionFromConfig(id: string, config: unknown): CompetitionSummary {
  const fields =
    typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : {};
  const parsed = parseCompetitionConfig(fields);
  return {
    id,
    name: optionalText(fields.eventName) ?? optionalText(fields.name) ?? id,
    meetDate: optionalText(fields.meetDate),
    venue: optionalText(fields.venue),
    gender: optionalText(fields.gender),
    vmId: parsed.ok ? parsed.value.vmId : null,
    vmAddress: parsed.ok ? parsed.value.vmAddress : null,
    startsAt: parsed.ok ? (parsed.value.startsAt ?? null) : null,
    endsAt: parsed.ok ? (parsed.value.endsAt ?? null) : null,
    problem: parsed.ok ? null : parsed.errors.join('; '),
  };
}

function sortCompetitions(list: CompetitionSummary[]): CompetitionSummary[] {
  return list.sort(
    (a, b) => (b.meetDate ?? '').localeCompare(a.meetDate ?? '') || a.name.localeCompare(b.name),
  );
}

/** Admins: the whole `competitions` node. */
export function watchAllCompetitions(
  db: Database,
  onData: (competitions: CompetitionSummary[]) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return watchValue(
    db,
    paths.competitions(),
    (raw) => {
      const entries =
        typeof raw === 'object' && raw !== null
          ? Object.entries(raw as Record<string, unknown>)
          : [];
      onData(
        sortCompetitions(
          entries.map(([id, node]) =>
            competitionFromConfig(
              id,
              typeof node === 'object' && node !== null
                ? (node as Record<string, unknown>).config
                : null,
            ),
          ),
        ),
      );
    },
    onError,
  );
}

/** Producers: `producerAccess/{uid}`, then each listed competition's config. */
export function watchProducerCompetitions(
  db: Database,
  uid: string,
  onData: (competitions: CompetitionSummary[]) => void,
  onError: (message: string) => void,
): Unsubscribe {
  const configs = new Map<string, CompetitionSummary | undefined>();
  const listeners = new Map<string, Unsubscribe>();
  let listed = false;

  const emit = () => {
    // Wait until every listed competition has answered once, so the list does not flicker.
    if (!listed || [...configs.values()].some((value) => value === undefined)) return;
    onData(sortCompetitions([...configs.values()] as CompetitionSummary[]));
  };

  const stopAccess = watchValue(
    db,
    paths.producerAccess(uid),
    (raw) => {
      const ids =
        typeof raw === 'object' && raw !== null
          ? Object.entries(raw as Record<string, unknown>)
              .filter(([, allowed]) => allowed === true)
              .map(([id]) => id)
          : [];
      for (const [id, stop] of listeners) {
        if (!ids.includes(id)) {
          stop();
          listeners.delete(id);
          configs.delete(id);
        }
      }
      for (const id of ids) {
        if (listeners.has(id)) continue;
        configs.set(id, undefined);
        listeners.set(
          id,
          watchValue(
            db,
            paths.competitionConfig(id),
            (config) => {
              configs.set(id, competitionFromConfig(id, config));
              emit();
            },
            onError,
          ),
        );
      }
      listed = true;
      emit();
    },
    onError,
  );

  return () => {
    stopAccess();
    for (const stop of listeners.values()) stop();
    listeners.clear();
  };
}

/**
 * Sets or clears a show's schedule (`startsAt`, `endsAt`; null removes it) in one update, as
 * admins and the competition's producers may (the rules check both the access and that the
 * end comes after the start).
 */
export function writeShowTimes(
  db: Database,
  competitionId: string,
  times: { startsAt: number | null; endsAt: number | null },
): Promise<void> {
  return updateValues(db, paths.competitionConfig(competitionId), {
    startsAt: times.startsAt,
    endsAt: times.endsAt,
  });
}
