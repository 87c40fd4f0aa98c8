/** The competition selector against the real SDK, local RTDB with rules; admin SDK as control plane. */
import { STATUS_INFO } from '@vmpool/core';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useCompetitions } from '../../features/competitions';
import type { SessionUser } from '../../lib/auth/roles';
import { makeAgent } from '../../testing/fixtures';
import { ADMIN, PRODUCER, useRtdbFixture } from '../../testing/rtdbFixture';
import { CompetitionSelector } from './CompetitionSelector';

const fixture = useRtdbFixture(() => ({
  vmPool: {
    vms: {
      'vm-001': {
        vmId: 'vm-001',
        instanceId: 'local-1',
        status: 'available',
        statusChangedAt: 1,
        createdAt: 1,
      },
      'vm-002': {
        vmId: 'vm-002',
        instanceId: 'local-2',
        status: 'assigned',
        assignedTo: 'comp-live',
        statusChangedAt: 1,
        createdAt: 1,
        // The page judges the agent with the wall clock, so it must have reported just now.
        agent: makeAgent({ lastSeen: Date.now() }),
      },
    },
  },
  competitions: {
    'comp-live': {
      config: { eventName: 'Live Meet', vmId: 'vm-002', vmAddress: '127.0.0.1:3003' },
    },
    'comp-new': { config: { eventName: 'New Meet' } },
    'comp-other': { config: { eventName: 'Someone Else' } },
  },
  producerAccess: { [PRODUCER.uid]: { 'comp-live': true, 'comp-new': true } },
}));

function Page() {
  return <CompetitionSelector competitions={useCompetitions()} />;
}

function renderAs(user: SessionUser) {
  fixture.renderAs(user, <Page />);
}

describe('CompetitionSelector', () => {
  it('shows a producer only their competitions, with VM badges and gated links', async () => {
    renderAs(PRODUCER);
    const live = await screen.findByRole('article', { name: 'Competition Live Meet' });
    const fresh = screen.getByRole('article', { name: 'Competition New Meet' });
    expect(screen.queryByRole('article', { name: 'Competition Someone Else' })).toBeNull();
    expect(screen.queryByRole('link', { name: /Manage VM pool/ })).toBeNull();

    await waitFor(() =>
      expect(within(live).getByText('vm-002 · Assigned').className).toBe(
        `badge tone-${STATUS_INFO.assigned.colour}`,
      ),
    );
    expect(within(live).getByRole('link', { name: 'Producer' }).getAttribute('href')).toBe(
      '/comp-live/producer',
    );
    expect(
      (within(live).getByRole('button', { name: 'Release VM' }) as HTMLButtonElement).disabled,
    ).toBe(false);

    expect(within(fresh).getByText('No VM').className).toBe('badge tone-gray');
    expect(
      (within(fresh).getByRole('button', { name: 'Assign VM' }) as HTMLButtonElement).disabled,
    ).toBe(false);
    expect(
      within(fresh).getByRole('link', { name: 'Producer' }).getAttribute('aria-disabled'),
    ).toBe('true');
    expect(within(fresh).getByRole('link', { name: 'Talent' }).getAttribute('href')).toBeNull();
  });

  it('marks a VM whose agent died unreachable and says why the producer links are disabled', async () => {
    await fixture.controlPlane
      .ref('vmPool/vms/vm-002/agent')
      .set(makeAgent({ online: false, lastSeen: Date.now() - 5_000 }));
    renderAs(PRODUCER);
    const live = await screen.findByRole('article', { name: 'Competition Live Meet' });
    const badge = await within(live).findByText('vm-002 · Unreachable');
    expect(badge.className).toContain('tone-red');
    expect(within(live).queryByText('vm-002 · Assigned')).toBeNull();
    for (const name of ['Producer', 'Talent']) {
      const link = within(live).getByRole('link', { name });
      expect(link.getAttribute('aria-disabled')).toBe('true');
      expect(link.getAttribute('href')).toBeNull();
      expect(link.getAttribute('title')).toBe('VM unreachable: agent offline');
      // The disabled link points at the sentence that says why.
      const reason = document.getElementById(link.getAttribute('aria-describedby') ?? '');
      expect(reason?.textContent).toBe(
        'VM unreachable: agent offline. Producer and Talent stay disabled until it is healthy again.',
      );
    }
  });

  it('lets a producer assign a VM and shows the request', async () => {
    renderAs(PRODUCER);
    const fresh = await screen.findByRole('article', { name: 'Competition New Meet' });
    fireEvent.click(within(fresh).getByRole('button', { name: 'Assign VM' }));
    const bar = await within(fresh).findByRole('progressbar', {
      name: 'Assign a VM to New Meet progress',
    });
    expect(bar.getAttribute('aria-valuenow')).toBe('0');
    const rows = (await fixture.controlPlane.ref('vmPool/requests').get()).val();
    expect(Object.values(rows)).toEqual([
      expect.objectContaining({
        action: 'assign',
        competitionId: 'comp-new',
        requestedBy: PRODUCER.uid,
      }),
    ]);
  });

  it('gives admins every competition and the pool link', async () => {
    renderAs(ADMIN);
    await screen.findByRole('article', { name: 'Competition Someone Else' });
    expect(screen.getAllByRole('article')).toHaveLength(3);
    expect(screen.getByRole('link', { name: /Manage VM pool/ }).getAttribute('href')).toBe(
      '/admin/vm-pool',
    );
  });

  it("lets a producer set, see and clear their show's times; the end must follow the start", async () => {
    renderAs(PRODUCER);
    const fresh = await screen.findByRole('article', { name: 'Competition New Meet' });
    expect(within(fresh).getByLabelText('Show schedule').textContent).toMatch(/^Not scheduled/);
    fireEvent.click(within(fresh).getByRole('button', { name: 'Set show times' }));
    const form = within(fresh).getByRole('form', { name: 'Show times' });
    const [start, end] = within(form).getAllByDisplayValue('') as HTMLInputElement[];
    fireEvent.change(start!, { target: { value: '2027-02-05T19:00' } });
    fireEvent.change(end!, { target: { value: '2027-02-05T18:00' } });
    expect(within(form).getByRole('alert').textContent).toBe('The end must come after the start.');
    const save = within(form).getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    fireEvent.change(end!, { target: { value: '2027-02-05T21:30' } });
    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    await within(fresh).findByText(/Show .* \(2 h 30 min\)/);
    const config = (await fixture.controlPlane.ref('competitions/comp-new/config').get()).val();
    expect(config).toMatchObject({
      eventName: 'New Meet',
      startsAt: new Date('2027-02-05T19:00').getTime(),
      endsAt: new Date('2027-02-05T21:30').getTime(),
    });

    fireEvent.click(within(fresh).getByRole('button', { name: 'Edit times' }));
    fireEvent.click(within(fresh).getByRole('button', { name: 'Clear schedule' }));
    await within(fresh).findByText(/Not scheduled/);
    const cleared = (await fixture.controlPlane.ref('competitions/comp-new/config').get()).val();
    expect(cleared.startsAt).toBeUndefined();
    expect(cleared.endsAt).toBeUndefined();
  });
});
