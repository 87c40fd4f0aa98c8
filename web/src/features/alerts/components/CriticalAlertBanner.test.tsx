import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { makeAlert } from '../../../testing/fixtures';
import { CriticalAlertBanner } from './CriticalAlertBanner';

const critical = makeAlert('comp-a', { id: 'c1', level: 'critical', title: 'VM Unreachable' });
const second = makeAlert('pool', { id: 'c2', level: 'critical', title: 'Pool outage' });
const warning = makeAlert('comp-a', { id: 'w1', level: 'warning', title: 'CPU high' });

describe('CriticalAlertBanner', () => {
  it('shows the first unacknowledged critical alert and acknowledges it', () => {
    const onAcknowledge = vi.fn().mockResolvedValue(undefined);
    render(
      <CriticalAlertBanner
        alerts={[critical, second, warning]}
        onAcknowledge={onAcknowledge}
        canAcknowledge={() => true}
      />,
    );
    const banner = screen.getByRole('alert', { name: 'Critical alert' });
    expect(banner.textContent).toContain('VM Unreachable');
    expect(banner.textContent).toContain('+1 more critical');
    fireEvent.click(screen.getByRole('button', { name: 'Acknowledge' }));
    expect(onAcknowledge).toHaveBeenCalledWith('c1');
  });

  it('is absent without unacknowledged critical alerts', () => {
    render(
      <CriticalAlertBanner
        alerts={[warning, { ...critical, acknowledged: true }]}
        onAcknowledge={vi.fn()}
        canAcknowledge={() => true}
      />,
    );
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('offers no button when the user may not acknowledge', () => {
    render(
      <CriticalAlertBanner
        alerts={[second]}
        onAcknowledge={vi.fn()}
        canAcknowledge={() => false}
      />,
    );
    expect(screen.getByRole('alert').textContent).toContain('Pool outage');
    expect(screen.queryByRole('button')).toBeNull();
  });
});
