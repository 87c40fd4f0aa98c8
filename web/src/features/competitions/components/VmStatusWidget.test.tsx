import { DEFAULT_POOL_CONFIG } from '@vmpool/core';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { NOW, makeAgent, makeVm } from '../../../testing/fixtures';
import type { ConnectionTestView } from '../hooks/useConnectionTest';
import { VmStatusWidget, widgetState } from './VmStatusWidget';

const vm = makeVm({
  vmId: 'vm-001',
  status: 'assigned',
  assignedTo: 'comp-a',
  publicIp: '203.0.113.10',
  agent: makeAgent(),
});

function connection(outcome: ConnectionTestView['outcome'], testing = false): ConnectionTestView {
  return { outcome, testing, run: vi.fn() };
}

const reachable = {
  ok: true as const,
  latencyMs: 42,
  obsConnected: true,
  obsIsStreaming: false,
  connectedClients: 2,
};

describe('VmStatusWidget', () => {
  it('is green with VM id and address when the show server answers', () => {
    render(
      <VmStatusWidget
        vmAddress="203.0.113.10:3003"
        vm={vm}
        connection={connection(reachable)}
        now={NOW}
        poolConfig={null}
      />,
    );
    const toggle = screen.getByRole('button', { name: /VM status: vm-001, Connected/ });
    expect(toggle.querySelector('.dot-green')).not.toBeNull();
    expect(toggle.textContent).toContain('203.0.113.10:3003');
    expect(screen.queryByRole('button', { name: 'Reconnect' })).toBeNull();
  });

  it('expands to details on click', () => {
    render(
      <VmStatusWidget
        vmAddress="203.0.113.10:3003"
        vm={vm}
        connection={connection(reachable)}
        now={NOW}
        poolConfig={null}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: /VM status/ }));
    const details = screen.getByRole('dialog', { name: 'VM details for vm-001' });
    expect(details.textContent).toContain('Assigned');
    expect(details.textContent).toContain('Show clients');
    const noMachine = within(details).getByRole('listitem', { name: 'NoMachine: down' });
    expect(noMachine.querySelector('.dot')?.className).toBe('dot dot-down');
    fireEvent.keyDown(details, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('is red with Reconnect when the show server does not answer, and Reconnect re-tests', () => {
    const view = connection({ ok: false, latencyMs: 5000, reason: 'no answer within 5 s' });
    render(
      <VmStatusWidget
        vmAddress="203.0.113.10:3003"
        vm={vm}
        connection={view}
        now={NOW}
        poolConfig={null}
      />,
    );
    const toggle = screen.getByRole('button', { name: /Disconnected/ });
    expect(toggle.querySelector('.dot-red')).not.toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Reconnect' }));
    expect(view.run).toHaveBeenCalledTimes(1);
  });

  it('is yellow while a VM is getting ready or OBS is down, red without a VM', () => {
    expect(
      widgetState({ vmAddress: null, vm, connection: connection(null), readiness: null }).tone,
    ).toBe('yellow');
    expect(
      widgetState({
        vmAddress: null,
        vm: undefined,
        connection: connection(null),
        readiness: null,
      }),
    ).toMatchObject({
      tone: 'red',
      text: 'No VM assigned',
    });
    expect(
      widgetState({
        vmAddress: 'x:3003',
        vm,
        connection: connection({ ...reachable, obsConnected: false }),
        readiness: null,
      }).tone,
    ).toBe('yellow');
  });

  it('is red "VM unreachable" when the agent has died, even if the show server answers', () => {
    const dead = makeVm({
      vmId: 'vm-002',
      status: 'assigned',
      assignedTo: 'comp-a',
      agent: makeAgent({ online: false }),
    });
    render(
      <VmStatusWidget
        vmAddress="203.0.113.10:3003"
        vm={dead}
        connection={connection(reachable)}
        now={NOW}
        poolConfig={null}
      />,
    );
    const toggle = screen.getByRole('button', { name: 'VM status: vm-002, VM unreachable' });
    expect(toggle.querySelector('.dot-red')).not.toBeNull();
    fireEvent.click(toggle);
    const details = screen.getByRole('dialog', { name: 'VM details for vm-002' });
    expect(details.textContent).toContain('VM unreachable: agent offline');
  });

  it('is red when the agent is silent for longer than agentStaleSeconds', () => {
    const silent = makeVm({
      vmId: 'vm-003',
      status: 'in_use',
      assignedTo: 'comp-a',
      agent: makeAgent({ lastSeen: NOW - 120_000 }),
    });
    render(
      <VmStatusWidget
        vmAddress="203.0.113.10:3003"
        vm={silent}
        connection={connection(reachable)}
        now={NOW}
        poolConfig={{ ...DEFAULT_POOL_CONFIG, agentStaleSeconds: 90 }}
      />,
    );
    const toggle = screen.getByRole('button', { name: 'VM status: vm-003, VM unreachable' });
    expect(toggle.querySelector('.dot')?.className).toBe('dot dot-red');
  });
});
