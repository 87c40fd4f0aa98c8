import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { NOW, makeAlert } from '../../../testing/fixtures';
import { AlertPanel } from './AlertPanel';

/** The accessible names of the alerts listed in `container`. */
function listed(container: HTMLElement): (string | null)[] {
  return within(container)
    .queryAllByRole('listitem')
    .map((item) => item.getAttribute('aria-label'));
}

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
    expect(listed(critical)).toEqual(['critical alert: VM Unreachable']);
    expect(listed(screen.getByRole('group', { name: 'Warnings alerts' }))).toEqual([
      'warning alert: NoMachine down',
    ]);
    const info = screen.getByRole('group', { name: 'Info alerts' });
    expect(listed(info)).toEqual(['info alert: VM auto-stopped']);
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
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'Permission denied');
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
    expect(listed(screen.getByRole('region', { name: 'Alerts' }))).toEqual([
      'warning alert: NoMachine down',
    ]);
  });

  it('has an empty state', () => {
    render(<AlertPanel alerts={[]} now={NOW} onAcknowledge={vi.fn()} onAcknowledgeAll={vi.fn()} />);
    const panel = screen.getByRole('region', { name: 'Alerts' });
    expect(listed(panel)).toEqual([]);
    expect(panel.querySelector('.state-box')?.textContent).toBe('No active alerts. All quiet.');
    expect(screen.queryByRole('button', { name: 'Acknowledge all' })).toBeNull();
  });
});
