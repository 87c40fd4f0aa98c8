import { STATUS_INFO } from '@vmpool/core';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { NOW, makeAgent, makeVm } from '../../../../testing/fixtures';
import { vmActionAvailability } from '../../lib/vmActions';
import { VMCard, type VMCardProps } from './VMCard';

function renderCard(overrides: Partial<VMCardProps> & Pick<VMCardProps, 'vm'>) {
  const onAction = vi.fn();
  const props: VMCardProps = {
    now: NOW,
    poolConfig: null,
    availability: vmActionAvailability(overrides.vm),
    assignedName: null,
    competitionOptions: [{ id: 'comp-a', name: 'Spring Invitational' }],
    isAdmin: true,
    pending: null,
    onAction,
    ...overrides,
  };
  render(<VMCard {...props} />);
  return { onAction, card: screen.getByRole('article', { name: `VM ${overrides.vm.vmId}` }) };
}

/** The value a card's facts list shows for `term` (Public IP, Assigned to, Agent, Health). */
function fact(card: HTMLElement, term: string): HTMLElement {
  const dt = [...card.querySelectorAll('dt')].find((candidate) => candidate.textContent === term);
  const dd = dt?.nextElementSibling;
  if (!(dd instanceof HTMLElement)) throw new Error(`no fact ${term}`);
  return dd;
}

/** The service states a card lists, as their accessible names. */
function services(card: HTMLElement): (string | null)[] {
  return within(within(card).getByRole('list', { name: 'Services' }))
    .getAllByRole('listitem')
    .map((item) => item.getAttribute('aria-label'));
}

describe('VMCard', () => {
  it('shows status label, IP, services, metrics and access commands of a warm VM', () => {
    const vm = makeVm({
      vmId: 'vm-001',
      status: 'available',
      publicIp: '203.0.113.10',
      agent: makeAgent(),
    });
    const { card } = renderCard({ vm });
    const c = within(card);
    expect(c.getByText(STATUS_INFO.available.label)).toHaveProperty(
      'className',
      'badge tone-green',
    );
    expect(card.getAttribute('data-tone')).toBe('green');
    expect(fact(card, 'Public IP').textContent).toBe('203.0.113.10');
    expect(services(card)).toEqual([
      'Show server: up',
      'OBS WebSocket: up',
      'Nimble: up',
      'NoMachine: down',
    ]);
    expect(c.getByRole('meter', { name: 'Disk' }).getAttribute('aria-valuenow')).toBe('93');
    expect(c.getByLabelText('SSM command for vm-001').textContent).toBe(
      `aws ssm start-session --target ${vm.instanceId} --region us-east-1`,
    );
    expect(c.getByLabelText('SSH command for vm-001').textContent).toBe('ssh ubuntu@203.0.113.10');
  });

  it('marks every service unknown when the agent has gone quiet', () => {
    const vm = makeVm({
      vmId: 'vm-002',
      status: 'assigned',
      assignedTo: 'comp-a',
      agent: makeAgent({ lastSeen: NOW - 600_000 }),
    });
    const { card } = renderCard({ vm, assignedName: 'Spring Invitational' });
    const c = within(card);
    expect(services(card)).toEqual([
      'Show server: unknown',
      'OBS WebSocket: unknown',
      'Nimble: unknown',
      'NoMachine: unknown',
    ]);
    expect(fact(card, 'Agent').textContent?.trim()).toBe('not heard from · seen 10 min ago');
    expect(fact(card, 'Assigned to').textContent).toBe('Spring Invitational');
    expect(fact(card, 'Assigned to').firstElementChild?.getAttribute('title')).toBe('comp-a');
    // An old report is no evidence: no meters, just the note.
    expect(c.queryAllByRole('meter')).toEqual([]);
    expect(card.textContent).toContain('No metrics yet.');
  });

  it('says when the schedule assigned the VM', () => {
    const scheduled = makeVm({
      vmId: 'vm-002',
      status: 'assigned',
      assignedTo: 'comp-a',
      assignedBy: 'schedule',
    });
    const byHand = makeVm({
      vmId: 'vm-003',
      status: 'assigned',
      assignedTo: 'comp-b',
      assignedBy: 'u-producer',
    });
    const first = renderCard({ vm: scheduled, assignedName: 'Spring Invitational' }).card;
    expect(fact(first, 'Assigned to').textContent).toBe('Spring Invitational · by the schedule');
    cleanup();
    const second = renderCard({ vm: byHand, assignedName: 'Winter Classic' }).card;
    expect(fact(second, 'Assigned to').textContent).toBe('Winter Classic');
  });

  it('offers Start only for a stopped VM and reports the action', () => {
    const vm = makeVm({ vmId: 'vm-003', status: 'stopped', ec2State: 'stopped' });
    const { card, onAction } = renderCard({ vm });
    const c = within(card);
    const start = c.getByRole('button', { name: 'Start' }) as HTMLButtonElement;
    expect(start.disabled).toBe(false);
    expect((c.getByRole('button', { name: 'Stop' }) as HTMLButtonElement).disabled).toBe(true);
    expect((c.getByRole('button', { name: 'Reboot' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(start);
    expect(onAction).toHaveBeenCalledWith({ kind: 'start' });
  });

  it('assigns the chosen competition', () => {
    const vm = makeVm({ vmId: 'vm-001', status: 'available' });
    const { card, onAction } = renderCard({ vm });
    const c = within(card);
    const assign = c.getByRole('button', { name: 'Assign VM' }) as HTMLButtonElement;
    expect(assign.disabled).toBe(true);
    fireEvent.change(c.getByLabelText('Competition for vm-001'), { target: { value: 'comp-a' } });
    fireEvent.click(assign);
    expect(onAction).toHaveBeenCalledWith({ kind: 'assign', competitionId: 'comp-a' });
  });

  it('disables every action and shows progress while a request runs', () => {
    const vm = makeVm({
      vmId: 'vm-004',
      status: 'assigned',
      assignedTo: 'comp-a',
    });
    const { card } = renderCard({
      vm,
      pending: {
        action: 'release',
        title: 'Release vm-004',
        error: null,
        result: {
          state: 'running',
          step: 'archive',
          progress: 0.4,
          message: 'Archiving recordings',
          steps: [
            { name: 'archive', state: 'running' },
            { name: 'reset', state: 'pending' },
          ],
          updatedAt: NOW,
        },
      },
    });
    const c = within(card);
    expect(c.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('40');
    const release = c.getByRole('button', { name: 'Release VM' }) as HTMLButtonElement;
    expect(release.disabled).toBe(true);
    expect(release.getAttribute('aria-busy')).toBe('true');
    const bar = c.getByRole('progressbar', { name: 'Release vm-004 progress' });
    expect(bar.getAttribute('aria-valuetext')).toBe('40% archive');
    expect(bar.nextElementSibling?.textContent).toBe('Archiving recordings');
    expect(
      within(c.getByRole('list', { name: 'Release vm-004 steps' }))
        .getAllByRole('listitem')
        .map((step) => step.getAttribute('data-state')),
    ).toEqual(['running', 'pending']);
    for (const name of ['Start', 'Stop', 'Reboot', 'Maintenance']) {
      expect((c.getByRole('button', { name }) as HTMLButtonElement).disabled).toBe(true);
    }
  });

  it('shows a failed request with its error code', () => {
    const vm = makeVm({ vmId: 'vm-005', status: 'stopped', ec2State: 'stopped' });
    const { card } = renderCard({
      vm,
      pending: {
        action: 'start',
        title: 'Start vm-005',
        error: null,
        result: {
          state: 'failed',
          step: 'ec2',
          progress: 0.1,
          message: 'EC2 refused',
          error: { code: 'EC2_ERROR', message: 'InsufficientInstanceCapacity' },
          updatedAt: NOW,
        },
      },
    });
    const c = within(card);
    const bar = c.getByRole('progressbar', { name: 'Start vm-005 progress' });
    expect(bar.getAttribute('aria-valuetext')).toBe('failed at 10% (ec2)');
    const reason = bar.nextElementSibling;
    expect(reason?.textContent).toBe('InsufficientInstanceCapacity (EC2_ERROR)');
    expect(reason?.className).toBe('field-error');
    expect((c.getByRole('button', { name: 'Start' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('offers no release while a cold-assigned VM is still starting', () => {
    const vm = makeVm({
      vmId: 'vm-007',
      status: 'starting',
      ec2State: 'pending',
      assignedTo: 'comp-a',
    });
    const { card } = renderCard({ vm });
    expect(within(card).queryByRole('button', { name: 'Release VM' })).toBeNull();
  });

  it('hides admin controls from producers', () => {
    const vm = makeVm({
      vmId: 'vm-006',
      status: 'assigned',
      assignedTo: 'comp-a',
      publicIp: '203.0.113.9',
    });
    const { card } = renderCard({ vm, isAdmin: false });
    const c = within(card);
    expect(c.queryByRole('button', { name: 'Start' })).toBeNull();
    expect(c.queryByLabelText('SSM command for vm-006')).toBeNull();
    expect((c.getByRole('button', { name: 'Release VM' }) as HTMLButtonElement).disabled).toBe(
      false,
    );
  });

  it('terminates a free VM only after confirmation', () => {
    const vm = makeVm({ vmId: 'vm-008', status: 'stopped', ec2State: 'stopped' });
    const { card, onAction } = renderCard({ vm });
    const c = within(card);
    fireEvent.click(c.getByRole('button', { name: 'Terminate' }));
    expect(onAction).not.toHaveBeenCalled();
    const confirm = c.getByRole('group', { name: 'Confirm terminate of vm-008' });
    fireEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(c.queryByRole('group', { name: /Confirm terminate/ })).toBeNull();
    expect(onAction).not.toHaveBeenCalled();

    fireEvent.click(c.getByRole('button', { name: 'Terminate' }));
    fireEvent.click(
      within(c.getByRole('group', { name: 'Confirm terminate of vm-008' })).getByRole('button', {
        name: 'Terminate vm-008',
      }),
    );
    expect(onAction).toHaveBeenCalledExactlyOnceWith({ kind: 'terminate' });
    expect(c.queryByRole('group', { name: /Confirm terminate/ })).toBeNull();
  });

  it('offers Terminate only where the state machine allows it, and never to producers', () => {
    const offered = (vm: Parameters<typeof makeVm>[0], isAdmin = true) => {
      renderCard({ vm: makeVm(vm), isAdmin });
      const found = screen.queryByRole('button', { name: 'Terminate' }) !== null;
      cleanup();
      return found;
    };
    expect(offered({ vmId: 'vm-001', status: 'available' })).toBe(true);
    expect(offered({ vmId: 'vm-001', status: 'error' })).toBe(true);
    expect(offered({ vmId: 'vm-001', status: 'assigned', assignedTo: 'comp-a' })).toBe(false);
    expect(offered({ vmId: 'vm-001', status: 'in_use', assignedTo: 'comp-a' })).toBe(false);
    // A failed VM a competition still holds must be released first.
    expect(offered({ vmId: 'vm-001', status: 'error', assignedTo: 'comp-a' })).toBe(false);
    expect(offered({ vmId: 'vm-001', status: 'starting', ec2State: 'pending' })).toBe(false);
    expect(offered({ vmId: 'vm-001', status: 'terminating' })).toBe(false);
    expect(offered({ vmId: 'vm-001', status: 'available' }, false)).toBe(false);
  });

  it('judges health live, so a dead agent shows unhealthy before the next health check', () => {
    const vm = makeVm({
      vmId: 'vm-009',
      status: 'assigned',
      assignedTo: 'comp-a',
      healthStatus: 'healthy',
      agent: makeAgent({ online: false }),
    });
    const { card } = renderCard({ vm });
    const health = within(card).getByText('unhealthy').closest('dd');
    expect(health?.textContent).toContain('the agent is offline');
    expect(health?.querySelector('.dot-red')).not.toBeNull();
    expect(within(card).queryByText('healthy')).toBeNull();
  });

  it('shows why a failed VM is in error, what its recovery waits for, and offers Recover', () => {
    const vm = makeVm({
      vmId: 'vm-003',
      status: 'error',
      errorCause: 'agent_stale',
      agent: makeAgent({ lastSeen: NOW - 600_000 }),
    });
    const { card, onAction } = renderCard({ vm });
    const c = within(card);
    expect(c.getByRole('note', { name: 'Recovery of vm-003' }).textContent).toBe(
      'Cause: the agent stopped reporting. Recovery: automatic · waiting for the agent to report again · 0 of 3 attempts used',
    );
    fireEvent.click(c.getByRole('button', { name: 'Recover' }));
    expect(onAction).toHaveBeenCalledWith({ kind: 'recover' });
    cleanup();

    const gone = makeVm({ vmId: 'vm-004', status: 'error', errorCause: 'instance_missing' });
    const missing = within(renderCard({ vm: gone }).card);
    expect(missing.getByRole('note', { name: 'Recovery of vm-004' }).textContent).toContain(
      'Recovery: not automatic · needs an admin to terminate or remove it',
    );
    expect(missing.queryByRole('button', { name: 'Recover' })).toBeNull();
    cleanup();

    const fine = within(renderCard({ vm: makeVm({ vmId: 'vm-005', status: 'available' }) }).card);
    expect(fine.queryByRole('note', { name: 'Recovery of vm-005' })).toBeNull();
  });

  it('shows when an automatic recovery is next tried as a live relative time', () => {
    const at = NOW + 42_000;
    const vm = makeVm({
      vmId: 'vm-003',
      status: 'error',
      errorCause: 'agent_stale',
      agent: makeAgent({ lastSeen: NOW - 600_000 }),
      recovery: { attempts: [], gaveUpAt: null, release: null, running: null, nextAttemptAt: at },
    });
    const props = {
      poolConfig: null,
      availability: vmActionAvailability(vm),
      assignedName: null,
      competitionOptions: [],
      isAdmin: true,
      pending: null,
      onAction: vi.fn(),
    };
    const note = () => screen.getByRole('note', { name: 'Recovery of vm-003' });
    const { rerender } = render(<VMCard vm={vm} now={NOW} {...props} />);
    expect(note().textContent).toBe(
      'Cause: the agent stopped reporting. Recovery: automatic · waiting for the agent to report again · next try in 42s · 0 of 3 attempts used',
    );
    expect(note().querySelector('time')?.getAttribute('dateTime')).toBe(new Date(at).toISOString());
    // The card's clock ticks: the same record reads closer, then due.
    rerender(<VMCard vm={vm} now={NOW + 30_000} {...props} />);
    expect(note().textContent).toContain('next try in 12s');
    rerender(<VMCard vm={vm} now={NOW + 45_000} {...props} />);
    expect(note().textContent).toContain('next try due now');
    cleanup();

    // Given up: no next try, an admin is needed.
    const stuck = { ...vm, recovery: { ...vm.recovery, gaveUpAt: NOW, nextAttemptAt: null } };
    render(<VMCard vm={stuck} now={NOW} {...props} availability={vmActionAvailability(stuck)} />);
    expect(note().textContent).not.toContain('next try');
    expect(note().textContent).toContain('needs an admin');
  });
});
