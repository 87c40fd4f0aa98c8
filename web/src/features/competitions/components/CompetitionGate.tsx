import type { ReactNode } from 'react';
import { NotFoundPage } from '../../../components/NotFoundPage';
import { LoadingState } from '../../../components/StateBox';
import type { CompetitionSummary } from '../api/competitions';
import type { CompetitionsView } from '../hooks/useCompetitions';

/**
 * The competition pages' shared entry: a loading state while competitions load, a clear "not
 * found" for an id that is unknown or not the user's, else the page for that competition.
 */
export function CompetitionGate({
  competitionId,
  competitions,
  children,
}: {
  competitionId: string;
  competitions: CompetitionsView;
  children: (competition: CompetitionSummary) => ReactNode;
}) {
  if (competitions.isLoading) {
    return (
      <div className="page">
        <LoadingState label="Loading competition…" />
      </div>
    );
  }
  const competition = competitions.getCompetition(competitionId);
  if (competition === undefined) {
    return (
      <NotFoundPage message={`Competition ${competitionId} does not exist or is not yours.`} />
    );
  }
  return <>{children(competition)}</>;
}
