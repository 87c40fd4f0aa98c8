/**
 * The VM setup page against the real SDK, local RTDB with the project's rules and a stand-in
 * show server; firebase-admin plays the control plane.
 */
import { startShowServer, type ShowServer } from '@vmpool/local/show-server';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useCompetitions } from '../../features/competitions';
import { ADMIN, startRtdbFixture, type RtdbFixture } from '../../testing/rtdbFixture';
import { VmSetupPage } from './VmSetupPage';

let fixture: RtdbFixture;
let show: ShowServer;

beforeAll(async () => {
  fixture = await startRtdbFixture();
  show = await startShowServer({ port: 0 });
}, 30_000);
afterAll(async () => {
  await show.stop();
  await fixture.stop();
});
afterEach(cleanup);

function vmRow(vmId: string, status: string, extra: Record<string, unknown> = {}) {
  return { vmId, instanceId: `local-${vmId}`, status, statusChangedAt: 1, createdAt: 1, ...extra };
}

beforeEach(async () => {
  await fixture.controlPlane.ref().set({
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
  });
});

function Page() {
  const competitions = useCompetitions();
  return <VmSetupPage competitionId="comp-a" competitions={competitions} />;
}

function renderPage() {
  const Wrapper = fixture.wrapperFor(ADMIN);
  render(
    <Wrapper>
      <Page />
    </Wrapper>,
  );
}

type Row = Record<string, unknown> & { action: string };

async function requests(): Promise<[string, Row][]> {
  const rows = (await fixture.controlPlane.ref('vmPool/requests').get()).val() ?? {};
  return Object.entries(rows as Record<string, Row>);
}

async function waitForRequest(action: string): Promise<[string, Row]> {
  let found: [string, Row] | undefined;
  await waitFor(async () => {
    found = (await requests()).find(([, row]) => row.action === action);
    expect(found).toBeDefined();
  });
  return found as [string, Row];
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
    expect(await within(assignment).findByRole('progressbar')).toBeTruthy();
  });

  it('changes VM: releases, waits for the release to finish, then assigns the chosen VM', async () => {
    renderPage();
    const assignment = await screen.findByRole('region', { name: 'Assignment' });
    await waitFor(() =>
      expect(within(assignment).getByRole('option', { name: /vm-001/ })).toBeTruthy(),
    );
    fireEvent.change(within(assignment).getByLabelText('Change to'), {
      target: { value: 'vm-001' },
    });
    fireEvent.click(within(assignment).getByRole('button', { name: 'Change VM' }));

    const [releaseId] = await waitForRequest('release');
    // No assign before the release has finished.
    expect((await requests()).some(([, row]) => row.action === 'assign')).toBe(false);
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
    expect(
      await within(assignment).findByText(
        /Release failed, so no new VM was assigned: S3 upload failed/,
      ),
    ).toBeTruthy();
    expect((await requests()).some(([, row]) => row.action === 'assign')).toBe(false);
  });
});
