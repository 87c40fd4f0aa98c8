import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NOW, makeAlert } from '../../../testing/fixtures';
import { AlertPanel } from './AlertPanel';

afterEach(cleanup);

const alerts = [
  makeAlert('comp-a', { id: 'a1', level: 'critical', title: 'VM Unreachable', vmId: 'vm-001' }),
  makeAlert('comp-a', { id: 'a2', level: 'warning', title: 'NoMachine down' }),
  makeAlert('pool', {
    id: 'a3',
    level: 'info',
    title: 'VM auto-stopped',
    acknowledged: true,
    acknowledgedBy: 'u1',
    acknowledgedAt: NOW,
  }),
];

describe('AlertPanel', () => {
  it('groups alerts by level', () => {
    render(
      <AlertPanel alerts={alerts} now={NOW} onAcknowledge={vi.fn()} onAcknowledgeAll={vi.fn()} />,
    );
    const critical = screen.getByRole('group', { name: 'Critical alerts' });
    expect(within(critical).getByText('VM Unreachable')).toBeTruthy();
    expect(
      within(screen.getByRole('group', { name: 'Warnings alerts' })).getByText('NoMachine down'),
    ).toBeTruthy();
    const info = screen.getByRole('group', { name: 'Info alerts' });
    // Acknowledged alerts stay listed but offer no button.
    expect(within(info).queryByRole('button', { name: 'Acknowledge' })).toBeNull();
  });

  it('acknowledges one alert', async () => {
    const onAcknowledge = vi.fn().mockResolvedValue(undefined);
    render(
      <AlertPanel
        alerts={alerts}
        now={NOW}
        onAcknowledge={onAcknowledge}
        onAcknowledgeAll={vi.fn()}
      />,
    );
    const item = screen.getByRole('listitem', { name: 'critical alert: VM Unreachable' });
    fireEvent.click(within(item).getByRole('button', { name: 'Acknowledge' }));
    await waitFor(() => expect(onAcknowledge).toHaveBeenCalledWith('a1'));
  });

  it('acknowledges all and reports a failure', async () => {
    const onAll = vi.fn().mockRejectedValue(new Error('Permission denied'));
    render(
      <AlertPanel alerts={alerts} now={NOW} onAcknowledge={vi.fn()} onAcknowledgeAll={onAll} />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Acknowledge all' }));
    expect(await screen.findByText('Permission denied')).toBeTruthy();
    expect(onAll).toHaveBeenCalledTimes(1);
  });

  it('collapses and expands', () => {
    render(
      <AlertPanel
        alerts={alerts}
        now={NOW}
        onAcknowledge={vi.fn()}
        onAcknowledgeAll={vi.fn()}
        title="Warnings"
      />,
    );
    const toggle = screen.getByRole('button', { name: /Warnings/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByText('VM Unreachable')).toBeNull();
  });

  it('lists only the requested levels', () => {
    render(
      <AlertPanel
        alerts={alerts}
        now={NOW}
        onAcknowledge={vi.fn()}
        onAcknowledgeAll={vi.fn()}
        levels={['warning']}
      />,
    );
    expect(screen.queryByText('VM Unreachable')).toBeNull();
    expect(screen.getByText('NoMachine down')).toBeTruthy();
  });

  it('has an empty state', () => {
    render(<AlertPanel alerts={[]} now={NOW} onAcknowledge={vi.fn()} onAcknowledgeAll={vi.fn()} />);
    expect(screen.getByText(/No active alerts/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Acknowledge all' })).toBeNull();
  });
});
