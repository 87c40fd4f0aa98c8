import { DEFAULT_POOL_CONFIG } from '@vmpool/core';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { makeVm } from '../../../testing/fixtures';
import { PoolStatusBar } from './PoolStatusBar';

const config = { ...DEFAULT_POOL_CONFIG, minWarmVMs: 2 };

const pool = [
  makeVm({ vmId: 'vm-001', status: 'available' }),
  makeVm({ vmId: 'vm-002', status: 'assigned', assignedTo: 'comp-a' }),
  makeVm({ vmId: 'vm-003', status: 'in_use', assignedTo: 'comp-b' }),
  makeVm({ vmId: 'vm-004', status: 'stopped', ec2State: 'stopped' }),
  makeVm({ vmId: 'vm-005', status: 'error', ec2State: 'running' }),
];

describe('PoolStatusBar', () => {
  it('counts VMs per status and shows utilisation', () => {
    render(
      <PoolStatusBar
        vms={pool}
        config={config}
        isAdmin
        startingCold={false}
        onStartColdVm={vi.fn()}
      />,
    );
    const counts = screen.getByRole('list', { name: 'VMs per status' });
    // The PRD's five counts; Starting has no VM, so it is not listed.
    expect(
      within(counts)
        .getAllByRole('listitem')
        .map((item) => item.getAttribute('aria-label')),
    ).toEqual(['Available: 1', 'Assigned: 1', 'In use: 1', 'Stopped: 1', 'Error: 1']);
    const meter = screen.getByRole('meter', { name: 'Pool utilisation' });
    expect(meter.getAttribute('aria-valuenow')).toBe('40');
    // The solid part of the bar is the VMs in shows, first; free VMs follow, faded.
    const parts = [...meter.children] as HTMLElement[];
    const solid = parts.filter((part) => !part.classList.contains('free'));
    expect(solid.map((part) => part.title)).toEqual([
      'Assigned (in a show): 1',
      'In use (in a show): 1',
    ]);
    expect(parts.indexOf(solid[1] as HTMLElement)).toBe(1);
    expect(solid.reduce((sum, part) => sum + parseFloat(part.style.width), 0)).toBe(40);
  });

  it('warns when fewer VMs are warm than configured and starts a cold one', () => {
    const onStart = vi.fn();
    render(
      <PoolStatusBar
        vms={pool}
        config={config}
        isAdmin
        startingCold={false}
        onStartColdVm={onStart}
      />,
    );
    const warning = screen.getByRole('status');
    expect(warning.textContent).toContain('Pool is low');
    expect(warning.textContent).toContain('2 should be warm');
    fireEvent.click(within(warning).getByRole('button', { name: 'Start cold VM' }));
    expect(onStart).toHaveBeenCalledWith('vm-004');
  });

  it('does not warn when the warm minimum is met, and disables start without a cold VM', () => {
    const warm = [
      makeVm({ vmId: 'vm-001', status: 'available' }),
      makeVm({ vmId: 'vm-002', status: 'available' }),
    ];
    render(
      <PoolStatusBar
        vms={warm}
        config={config}
        isAdmin
        startingCold={false}
        onStartColdVm={vi.fn()}
      />,
    );
    expect(screen.queryByText(/Pool is low/)).toBeNull();
    expect(
      (screen.getByRole('button', { name: 'Start cold VM' }) as HTMLButtonElement).disabled,
    ).toBe(true);
  });

  it('shows the start in flight', () => {
    render(
      <PoolStatusBar vms={pool} config={config} isAdmin startingCold onStartColdVm={vi.fn()} />,
    );
    const button = screen.getByRole('button', { name: 'Start cold VM' });
    expect(button.getAttribute('aria-busy')).toBe('true');
    expect((button as HTMLButtonElement).disabled).toBe(true);
  });

  it('offers no start to producers', () => {
    render(
      <PoolStatusBar
        vms={pool}
        config={config}
        isAdmin={false}
        startingCold={false}
        onStartColdVm={vi.fn()}
      />,
    );
    expect(screen.queryByRole('button', { name: 'Start cold VM' })).toBeNull();
  });
});
