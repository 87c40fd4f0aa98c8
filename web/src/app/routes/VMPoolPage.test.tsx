/** The VM pool page against the real SDK, local RTDB with rules; admin SDK as control plane. */
import { DEFAULT_POOL_CONFIG } from '@vmpool/core';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useCompetitions } from '../../features/competitions';
import { ADMIN, useRtdbFixture, type Rows } from '../../testing/rtdbFixture';
import { VMPoolPage } from './VMPoolPage';

function vmRow(vmId: string, status: string, extra: Record<string, unknown> = {}) {
  return { vmId, instanceId: `local-${vmId}`, status, statusChangedAt: 1, createdAt: 1, ...extra };
}

const fixture = useRtdbFixture(() => ({
  vmPool: {
    config: DEFAULT_POOL_CONFIG,
    vms: {
      'vm-001': vmRow('vm-001', 'available', { ec2State: 'running' }),
      'vm-002': vmRow('vm-002', 'stopped', { ec2State: 'stopped' }),
    },
  },
  competitions: { 'comp-a': { config: { eventName: 'Spring Invitational' } } },
}));

function Page() {
  return <VMPoolPage competitions={useCompetitions()} />;
}

function renderPage() {
  fixture.renderAs(ADMIN, <Page />);
}

async function onlyRequest(): Promise<Rows[number]> {
  let rows: Rows = [];
  await waitFor(async () => {
    rows = await fixture.rows('vmPool/requests');
    expect(rows).toHaveLength(1);
  });
  return rows[0] as Rows[number];
}

/** The status badge in a VM card's header. */
function statusOf(card: HTMLElement): string | null {
  return card.querySelector('.vm-card-head .badge')?.textContent ?? null;
}

/** The line under a progress bar: the control plane's message, or why it failed. */
function summaryOf(bar: HTMLElement): string | null {
  return bar.nextElementSibling?.textContent ?? null;
}

describe('VMPoolPage', () => {
  it('starts a stopped VM and shows the request until it is done', async () => {
    renderPage();
    const card = await screen.findByRole('article', { name: 'VM vm-002' });
    expect(statusOf(card)).toBe('Stopped');
    fireEvent.click(within(card).getByRole('button', { name: 'Start' }));

    const [requestId, row] = await onlyRequest();
    expect(row).toMatchObject({ action: 'start', vmId: 'vm-002', requestedBy: ADMIN.uid });
    const bar = await within(card).findByRole('progressbar', { name: 'Start vm-002 progress' });
    expect(bar.getAttribute('aria-valuetext')).toBe('0% queued');
    expect(summaryOf(bar)).toBe('Waiting for the control plane…');
    expect(
      (within(card).getByRole('button', { name: 'Start' }) as HTMLButtonElement).disabled,
    ).toBe(true);

    const result = fixture.controlPlane.ref(`vmPool/requests/${requestId}/result`);
    await result.set({
      state: 'running',
      step: 'boot',
      progress: 0.5,
      message: 'Booting',
      updatedAt: Date.now(),
    });
    await fixture.controlPlane
      .ref('vmPool/vms/vm-002')
      .update({ status: 'starting', ec2State: 'pending' });
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('50'));
    expect(summaryOf(bar)).toBe('Booting');
    await waitFor(() => expect(statusOf(card)).toBe('Starting'));

    await result.update({ state: 'succeeded', progress: 1, message: 'vm-002 is ready' });
    await fixture.controlPlane
      .ref('vmPool/vms/vm-002')
      .update({ status: 'available', ec2State: 'running' });
    await waitFor(() => expect(statusOf(card)).toBe('Available'));
    const done = within(card).getByRole('progressbar', { name: 'Start vm-002 progress' });
    expect(done.getAttribute('aria-valuetext')).toBe('done');
    expect(summaryOf(done)).toBe('vm-002 is ready');
    expect(
      (within(card).getByRole('button', { name: 'Start' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    fireEvent.click(within(card).getByRole('button', { name: 'Dismiss' }));
    expect(within(card).queryByRole('progressbar')).toBeNull();
  });

  it('assigns a VM to the competition picked on its card', async () => {
    renderPage();
    const card = await screen.findByRole('article', { name: 'VM vm-001' });
    await waitFor(() =>
      expect(
        (within(card).getByRole('option', { name: 'Spring Invitational' }) as HTMLOptionElement)
          .value,
      ).toBe('comp-a'),
    );
    fireEvent.change(within(card).getByLabelText('Competition for vm-001'), {
      target: { value: 'comp-a' },
    });
    fireEvent.click(within(card).getByRole('button', { name: 'Assign VM' }));
    const [, row] = await onlyRequest();
    expect(row).toMatchObject({
      action: 'assign',
      competitionId: 'comp-a',
      options: { preferredVmId: 'vm-001' },
    });
  });

  it('launches a VM only after confirmation', async () => {
    renderPage();
    await screen.findByRole('article', { name: 'VM vm-001' });
    fireEvent.click(screen.getByRole('button', { name: 'Launch new VM' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect((await fixture.controlPlane.ref('vmPool/requests').get()).exists()).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Launch new VM' }));
    fireEvent.click(screen.getByRole('button', { name: 'Launch' }));
    const [, row] = await onlyRequest();
    expect(row).toMatchObject({ action: 'launch', requestedBy: ADMIN.uid });
  });

  it('terminates a stopped VM after confirmation and follows the request', async () => {
    renderPage();
    const card = await screen.findByRole('article', { name: 'VM vm-002' });
    fireEvent.click(within(card).getByRole('button', { name: 'Terminate' }));
    fireEvent.click(within(card).getByRole('button', { name: 'Terminate vm-002' }));
    const [, row] = await onlyRequest();
    expect(row).toMatchObject({ action: 'terminate', vmId: 'vm-002', requestedBy: ADMIN.uid });
    const bar = await within(card).findByRole('progressbar', { name: 'Terminate vm-002 progress' });
    expect(bar.getAttribute('aria-valuetext')).toBe('0% queued');
    expect(
      (within(card).getByRole('button', { name: 'Terminate' }) as HTMLButtonElement).disabled,
    ).toBe(true);
  });

  it('shows the progress of a request someone else made, without claiming a button', async () => {
    await fixture.controlPlane.ref().update({
      'vmPool/vms/vm-002/status': 'starting',
      'vmPool/vms/vm-002/assignedTo': 'comp-a',
      'vmPool/vms/vm-002/requestId': 'req-other',
      'vmPool/requests/req-other': {
        action: 'assign',
        competitionId: 'comp-a',
        requestedBy: 'producer-uid',
        requestedAt: 1,
        result: {
          state: 'running',
          step: 'boot',
          progress: 0.25,
          message: 'Cold start',
          updatedAt: 1,
        },
      },
    });
    renderPage();
    const card = await screen.findByRole('article', { name: 'VM vm-002' });
    const running = await within(card).findByRole('progressbar', {
      name: 'Request in progress progress',
    });
    expect(running.getAttribute('aria-valuenow')).toBe('25');
    expect(summaryOf(running)).toBe('Cold start');
    for (const button of within(card).getAllByRole('button')) {
      expect(button.getAttribute('aria-busy')).not.toBe('true');
    }

    // Once it is done the card names it by its outcome and the bar is full, even though the
    // control plane's last progress figure was below 1.
    await fixture.controlPlane.ref().update({
      'vmPool/vms/vm-002/status': 'assigned',
      'vmPool/requests/req-other/result': {
        state: 'succeeded',
        step: 'hand over',
        progress: 0.9,
        message: 'vm-002 is ready',
        vmId: 'vm-002',
        vmAddress: '127.0.0.1:3003',
        updatedAt: 2,
      },
    });
    const done = await within(card).findByRole('progressbar', {
      name: 'Assigned to Spring Invitational progress',
    });
    expect(done.getAttribute('aria-valuenow')).toBe('100');
    expect(within(card).queryByText(/Request in progress/)).toBeNull();
    expect(done.getAttribute('aria-valuetext')).toBe('done');
    expect(summaryOf(done)).toBe('vm-002 is ready');
  });

  it('shows the low-pool warning from the live config', async () => {
    renderPage();
    const status = await screen.findByRole('region', { name: 'Pool status' });
    await waitFor(() => expect(status.textContent).toContain('Pool is low'));
    await fixture.controlPlane.ref('vmPool/config/minWarmVMs').set(1);
    await waitFor(() => expect(status.textContent).not.toContain('Pool is low'));
  });
});
