import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CompetitionSummary } from '../api/competitions';
import type { CompetitionsView } from '../hooks/useCompetitions';
import { CompetitionGate } from './CompetitionGate';

const meet: CompetitionSummary = {
  id: 'meet-1',
  name: 'State Championships',
  meetDate: '2026-12-05',
  venue: 'Capital Arena',
  gender: 'womens',
  vmId: null,
  vmAddress: null,
  problem: null,
};

function view(competitions: CompetitionSummary[], isLoading = false): CompetitionsView {
  return {
    competitions,
    isLoading,
    error: null,
    getCompetition: (id) => competitions.find((competition) => competition.id === id),
  };
}

describe('CompetitionGate', () => {
  it('shows a loading state while competitions load', () => {
    render(
      <CompetitionGate competitionId="meet-1" competitions={view([], true)}>
        {(competition) => <p>{competition.name}</p>}
      </CompetitionGate>,
    );
    expect(screen.getByText('Loading competition…')).toBeTruthy();
    expect(screen.queryByText('State Championships')).toBeNull();
  });

  it('says so when the competition is unknown or not the user’s', () => {
    render(
      <CompetitionGate competitionId="meet-2" competitions={view([meet])}>
        {(competition) => <p>{competition.name}</p>}
      </CompetitionGate>,
    );
    expect(screen.getByText('Competition meet-2 does not exist or is not yours.')).toBeTruthy();
  });

  it('renders the page for a known competition', () => {
    render(
      <CompetitionGate competitionId="meet-1" competitions={view([meet])}>
        {(competition) => <p>{competition.name}</p>}
      </CompetitionGate>,
    );
    expect(screen.getByText('State Championships')).toBeTruthy();
  });
});
