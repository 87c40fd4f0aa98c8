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
  startsAt: null,
  endsAt: null,
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

/** Stands in for a competition page: names the competition it was given. */
const page = (competition: CompetitionSummary) => (
  <h1>
    {competition.name} at {competition.venue}
  </h1>
);

describe('CompetitionGate', () => {
  it('shows a loading state while competitions load', () => {
    render(
      <CompetitionGate competitionId="meet-1" competitions={view([], true)}>
        {page}
      </CompetitionGate>,
    );
    expect(screen.getByRole('status').textContent).toBe('Loading competition…');
    expect(screen.queryByRole('heading')).toBeNull();
  });

  it('says so when the competition is unknown or not the user’s', () => {
    render(
      <CompetitionGate competitionId="meet-2" competitions={view([meet])}>
        {page}
      </CompetitionGate>,
    );
    const heading = screen.getByRole('heading', { name: 'Not here' });
    expect(heading.nextElementSibling?.textContent).toBe(
      'Competition meet-2 does not exist or is not yours.',
    );
    expect(screen.getByRole('link', { name: 'Back to competitions' }).getAttribute('href')).toBe(
      '/',
    );
  });

  it('renders the page for a known competition', () => {
    render(
      <CompetitionGate competitionId="meet-1" competitions={view([meet])}>
        {page}
      </CompetitionGate>,
    );
    // The page gets that competition's summary.
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe(
      'State Championships at Capital Arena',
    );
    expect(screen.queryByRole('status')).toBeNull();
  });
});
