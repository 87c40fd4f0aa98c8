import { useEffect, useState } from 'react';
import { useSession } from '../../../lib/session';
import {
  watchAllCompetitions,
  watchProducerCompetitions,
  type CompetitionSummary,
} from '../api/competitions';

export interface CompetitionsView {
  competitions: CompetitionSummary[];
  isLoading: boolean;
  error: string | null;
  getCompetition(competitionId: string): CompetitionSummary | undefined;
}

/** Every competition for admins; a producer's own (`producerAccess/{uid}`) otherwise. */
export function useCompetitions(): CompetitionsView {
  const { db, user } = useSession();
  const isAdmin = user.roles.admin;
  const [state, setState] = useState<{
    competitions: CompetitionSummary[] | null;
    error: string | null;
  }>({ competitions: null, error: null });

  useEffect(() => {
    const onData = (competitions: CompetitionSummary[]) => setState({ competitions, error: null });
    const onError = (error: string) => setState((current) => ({ ...current, error }));
    return isAdmin
      ? watchAllCompetitions(db, onData, onError)
      : watchProducerCompetitions(db, user.uid, onData, onError);
  }, [db, isAdmin, user.uid]);

  const competitions = state.competitions ?? [];
  return {
    competitions,
    isLoading: state.competitions === null && state.error === null,
    error: state.error,
    getCompetition: (competitionId) => competitions.find((c) => c.id === competitionId),
  };
}
