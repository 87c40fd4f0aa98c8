/** The cost page against the real SDK and the local RTDB with the project's rules. */
import { costMonthOf } from '@vmpool/core';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useCompetitions } from '../../features/competitions';
import { ADMIN, PRODUCER, useRtdbFixture } from '../../testing/rtdbFixture';
import { CostPage } from './CostPage';

const MONTH = costMonthOf(Date.now());
const HOUR = 3_600_000;
const figure = (usd: number) => ({ usd, billableSeconds: (usd / 0.08) * 3600 });

const fixture = useRtdbFixture(() => ({
  vmPool: {
    config: { instanceType: 't3.large', preWarmMinutes: 30, autoReleaseAfterMinutes: 60 },
    costs: {
      [MONTH]: {
        month: MONTH,
        currency: 'USD',
        through: Date.now(),
        updatedAt: Date.now(),
        total: figure(1),
        idle: figure(0.4),
        competitions: {
          mine: { ...figure(0.4), vms: { 'vm-001': figure(0.4) } },
          theirs: { ...figure(0.2), vms: { 'vm-002': figure(0.2) } },
        },
        vms: {
          'vm-001': { ...figure(0.6), instanceType: 't3.large', idleSeconds: 9000, idleUsd: 0.2 },
          'vm-002': { ...figure(0.4), instanceType: 't3.large', idleSeconds: 9000, idleUsd: 0.2 },
        },
        days: {},
        unpriced: { billableSeconds: 0, instanceTypes: [] },
      },
    },
  },
  competitions: {
    mine: {
      config: {
        eventName: 'My Meet',
        // Scheduled: 2 h from now for 3 h.
        startsAt: Date.now() + 2 * HOUR,
        endsAt: Date.now() + 5 * HOUR,
      },
    },
    theirs: { config: { eventName: 'Their Meet' } },
  },
  producerAccess: { [PRODUCER.uid]: { mine: true } },
}));

function Page() {
  return <CostPage competitions={useCompetitions()} />;
}

describe('CostPage', () => {
  it("shows a producer their show's cost and projection, never other shows' or the pool's", async () => {
    fixture.renderAs(PRODUCER, <Page />);
    const shows = await screen.findByRole('table', { name: 'Cost per show' });
    await waitFor(() =>
      expect(
        within(shows)
          .getAllByRole('row')
          .map((row) => row.textContent),
      ).toEqual(['ShowVM timeCostVMs', 'My Meet5.0 h$0.40vm-001']),
    );
    expect(screen.getByTestId('month-total').textContent).toBe('$0.40');
    expect(screen.queryByTestId('idle-share')).toBeNull();
    // 30 min pre-warm, 3 h show, 60 min grace and the cold start lead: about 4.5 h and more.
    const projected = screen.getByRole('table', { name: 'Projected cost of scheduled shows' });
    expect(within(projected).getAllByRole('row')[1]?.textContent).toMatch(
      /^My Meet4\.\d h\$0\.3\d$/,
    );
  });

  it('shows an admin the whole month with its idle share', async () => {
    fixture.renderAs(ADMIN, <Page />);
    expect((await screen.findByTestId('idle-share')).textContent).toBe('40%');
    expect(screen.getByTestId('month-total').textContent).toBe('$1.00');
    const vms = screen.getByRole('table', { name: 'Cost per VM' });
    expect(within(vms).getAllByRole('row')).toHaveLength(3);
  });
});
