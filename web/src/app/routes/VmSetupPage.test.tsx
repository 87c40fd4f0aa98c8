/**
 * The VM setup page against the real SDK, local RTDB with the project's rules and a stand-in
 * show server; firebase-admin plays the control plane.
 */
import { startShowServer, type ShowServer } from '@vmpool/local/show-server';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCompetitions } from '../../features/competitions';
import { ADMIN, useRtdbFixture, type Rows } from '../../testing/rtdbFixture';
import { VmSetupPage } from './VmSetupPage';

function vmRow(vmId: string, status: string, extra: Record<string, unknown> = {}) {
  return { vmId, instanceId: `local-${vmId}`, status, statusChangedAt: 1, createdAt: 1, ...extra };
}

let show: ShowServer;
beforeAll(async () => {
  show = await startShowServer({ port: 0 });
});
afterAll(async () => {
  await show.stop();
});

const fixture = useRtdbFixture(() => ({
  vmPool: {
    vms: {
      'vm-001': vmRow('vm-001', 'available', { publicIp: '127.0.0.1' }),
      'vm-002': vmRow('vm-002', 'assigned', { assignedTo: 'comp-a', publicIp: '127.0.0.1' }),
    },
  },
  competitions: {
    'comp-a': {
      config: {
        eventName: 'Spring Invitational',
        vmId: 'vm-002',
        vmAddress: `127.0.0.1:${show.port}`,
      },
    },
  },
}));

function Page() {
  const competitions = useCompetitions();
  return <VmSetupPage competitionId="comp-a" competitions={competitions} />;
}

function renderPage() {
  fixture.renderAs(ADMIN, <Page />);
}

async function actions(): Promise<unknown[]> {
  return (await fixture.rows('vmPool/requests')).map(([, row]) => row.action);
}

async function waitForRequest(action: string): Promise<Rows[number]> {
  let found: Rows[number] | undefined;
  await waitFor(async () => {
    found = (await fixture.rows('vmPool/requests')).find(([, row]) => row.action === action);
    expect(found?.[1].action).toBe(action);
  });
  return found as Rows[number];
}

describe('VmSetupPage', () => {
  it('shows the assignment and tests the show server from the browser', async () => {
    renderPage();
    const assignment = await screen.findByRole('region', { name: 'Assignment' });
    expect(assignment.textContent).toContain('vm-002');
    const connection = screen.getByRole('region', { name: 'Connection test' });
    await waitFor(() => expect(connection.textContent).toContain('Show server reachable'));
    expect(connection.textContent).toContain('OBS connected');
  });

  it('releases with the chosen options', async () => {
    renderPage();
    const assignment = await screen.findByRole('region', { name: 'Assignment' });
    fireEvent.click(within(assignment).getByLabelText('Archive recordings'));
    fireEvent.click(within(assignment).getByLabelText('Stop the VM'));
    fireEvent.click(within(assignment).getByRole('button', { name: 'Release VM' }));
    const [, row] = await waitForRequest('release');
    expect(row).toMatchObject({
      competitionId: 'comp-a',
      options: { archiveRecordings: false, stopVM: true },
      requestedBy: ADMIN.uid,
    });
    const bar = await within(assignment).findByRole('progressbar', {
      name: 'Release VM progress',
    });
    expect(bar.getAttribute('aria-valuenow')).toBe('0');
    const release = within(assignment).getByRole('button', { name: 'Release VM' });
    expect((release as HTMLButtonElement).disabled).toBe(true);
    expect(release.getAttribute('aria-busy')).toBe('true');
  });

  it('changes VM: releases, waits for the release to finish, then assigns the chosen VM', async () => {
    renderPage();
    const assignment = await screen.findByRole('region', { name: 'Assignment' });
    await waitFor(() =>
      expect(
        (within(assignment).getByRole('option', { name: /vm-001/ }) as HTMLOptionElement).value,
      ).toBe('vm-001'),
    );
    fireEvent.change(within(assignment).getByLabelText('Change to'), {
      target: { value: 'vm-001' },
    });
    fireEvent.click(within(assignment).getByRole('button', { name: 'Change VM' }));

    const [releaseId] = await waitForRequest('release');
    // No assign before the release has finished.
    expect(await actions()).toEqual(['release']);
    await fixture.controlPlane.ref(`vmPool/requests/${releaseId}/result`).set({
      state: 'succeeded',
      step: 'done',
      progress: 1,
      message: 'Released',
      updatedAt: Date.now(),
    });
    const [, assign] = await waitForRequest('assign');
    expect(assign).toMatchObject({ competitionId: 'comp-a', options: { preferredVmId: 'vm-001' } });
  });

  it('does not assign another VM when the release fails', async () => {
    renderPage();
    const assignment = await screen.findByRole('region', { name: 'Assignment' });
    fireEvent.click(within(assignment).getByRole('button', { name: 'Change VM' }));
    const [releaseId] = await waitForRequest('release');
    await fixture.controlPlane.ref(`vmPool/requests/${releaseId}/result`).set({
      state: 'failed',
      step: 'archive',
      progress: 0.3,
      message: 'Archive failed',
      error: { code: 'INTERNAL', message: 'S3 upload failed' },
      updatedAt: Date.now(),
    });
    const alert = await within(assignment).findByRole('alert');
    expect(alert.textContent).toBe('Release failed, so no new VM was assigned: S3 upload failed');
    expect(await actions()).toEqual(['release']);
    // The buttons are free again for another try.
    expect(
      (within(assignment).getByRole('button', { name: 'Change VM' }) as HTMLButtonElement).disabled,
    ).toBe(false);
  });
});
