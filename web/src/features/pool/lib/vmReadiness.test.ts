import { DEFAULT_POOL_CONFIG } from '@vmpool/core';
import { describe, expect, it } from 'vitest';
import { NOW, makeAgent, makeVm } from '../../../testing/fixtures';
import { vmReadiness } from './vmReadiness';

const assigned = (
  agent: Record<string, unknown> | null,
  status: 'assigned' | 'in_use' = 'assigned',
) => makeVm({ vmId: 'vm-001', status, assignedTo: 'comp-a', agent });

describe('vmReadiness', () => {
  it('is ready when assigned or in use and the agent reports', () => {
    expect(vmReadiness(assigned(makeAgent()), null, NOW)).toMatchObject({
      ready: true,
      flagged: false,
      label: 'Assigned',
    });
    expect(vmReadiness(assigned(makeAgent(), 'in_use'), null, NOW).ready).toBe(true);
  });

  it('flags an offline, silent or never-reporting agent as unreachable', () => {
    expect(vmReadiness(assigned(makeAgent({ online: false })), null, NOW)).toMatchObject({
      ready: false,
      unreachable: true,
      flagged: true,
      tone: 'red',
      label: 'Unreachable',
      reason: 'VM unreachable: agent offline',
    });
    const silent = assigned(makeAgent({ lastSeen: NOW - 61_000 }));
    expect(vmReadiness(silent, null, NOW).reason).toBe('VM unreachable: agent not heard from');
    // The pool's own limit decides what counts as silent.
    const patient = { ...DEFAULT_POOL_CONFIG, agentStaleSeconds: 120 };
    expect(vmReadiness(silent, patient, NOW).ready).toBe(true);
    expect(vmReadiness(assigned(null), null, NOW).unreachable).toBe(true);
  });

  it('flags a VM whose show server is down as unhealthy', () => {
    const agent = makeAgent({
      services: { showServer: { state: 'down', checkedAt: NOW - 5_000, detail: 'exited' } },
    });
    expect(vmReadiness(assigned(agent), null, NOW)).toMatchObject({
      ready: false,
      unreachable: false,
      flagged: true,
      label: 'Unhealthy',
    });
  });

  it('is not ready, and not flagged, while the VM is starting, releasing or free', () => {
    const starting = makeVm({ vmId: 'vm-001', status: 'starting', assignedTo: 'comp-a' });
    expect(vmReadiness(starting, null, NOW)).toMatchObject({ ready: false, flagged: false });
    const releasing = makeVm({
      vmId: 'vm-001',
      status: 'releasing',
      assignedTo: 'comp-a',
      agent: makeAgent(),
    });
    expect(vmReadiness(releasing, null, NOW).ready).toBe(false);
    const free = makeVm({ vmId: 'vm-001', status: 'available', agent: makeAgent() });
    expect(vmReadiness(free, null, NOW).ready).toBe(false);
  });
});
