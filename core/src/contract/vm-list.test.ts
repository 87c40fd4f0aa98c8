import { describe, expect, it } from 'vitest';
import { agent, NOW, vm } from '../../tests/fixtures';
import { readVmList, vmWithPulse } from './vm-list';

const pulse = (bootId: string, lastSeen: number) => ({
  bootId,
  lastSeen,
  metrics: {
    cpuPercent: 42,
    load1: 0.5,
    memUsedPercent: 50,
    memUsedMb: 4000,
    memTotalMb: 8000,
    diskUsedPercent: 10,
    netRxBps: 1,
    netTxBps: 2,
    uptimeSeconds: 600,
    sampledAt: lastSeen,
  },
});

describe('readVmList', () => {
  it('merges each VM with its own pulse (same agent run), sorted by vmId', () => {
    const rawVms = {
      'vm-b': vm({ vmId: 'vm-b', agent: agent({ bootId: 'boot-b', lastSeen: NOW - 60_000 }) }),
      'vm-a': vm({ vmId: 'vm-a', agent: agent({ bootId: 'boot-a', lastSeen: NOW - 60_000 }) }),
    };
    const list = readVmList(rawVms, {
      'vm-a': pulse('boot-a', NOW - 1_000),
      'vm-b': pulse('an-earlier-run', NOW - 1_000),
    });
    expect(list.vms.map((v) => v.vmId)).toEqual(['vm-a', 'vm-b']);
    expect(list.vms[0]?.agent).toMatchObject({
      lastSeen: NOW - 1_000,
      metrics: { cpuPercent: 42 },
    });
    // A pulse of another agent run says nothing about this one.
    expect(list.vms[1]?.agent?.lastSeen).toBe(NOW - 60_000);
    expect(list).toMatchObject({ invalid: [], agentProblems: [] });
  });

  it('reports invalid records and unreadable agent reports, and ignores unreadable pulses', () => {
    const rawVms = {
      'vm-1': { status: 'no-such-status' },
      'vm-2': { ...vm({ vmId: 'vm-2' }), agent: { online: 'yes' } },
      'vm-3': vm({ vmId: 'vm-3', agent: agent() }),
    };
    const list = readVmList(rawVms, { 'vm-3': { lastSeen: 'soon' }, 'vm-2': pulse('boot-1', NOW) });
    expect(list.vms.map((v) => [v.vmId, v.agent === null])).toEqual([
      ['vm-2', true],
      ['vm-3', false],
    ]);
    expect(list.vms[1]?.agent).toEqual(agent());
    expect(list.invalid.map((p) => p.vmId)).toEqual(['vm-1']);
    expect(list.invalid[0]?.errors.length).toBeGreaterThan(0);
    expect(list.agentProblems.map((p) => p.vmId)).toEqual(['vm-2']);
  });

  it('reads an absent pool or pulse node as empty', () => {
    expect(readVmList(null, null)).toEqual({ vms: [], invalid: [], agentProblems: [] });
    const only = readVmList({ 'vm-1': vm({ vmId: 'vm-1', agent: agent() }) });
    expect(only.vms[0]?.agent).toEqual(agent());
  });
});

describe('vmWithPulse', () => {
  it('leaves a VM without a pulse or without an agent report as it is', () => {
    const bare = vm({ vmId: 'vm-1' });
    expect(vmWithPulse(bare, pulse('boot-1', NOW))).toEqual(bare);
    const reported = vm({ vmId: 'vm-1', agent: agent() });
    expect(vmWithPulse(reported, null)).toBe(reported);
    expect(vmWithPulse(reported, pulse('boot-1', NOW + 1))?.agent?.lastSeen).toBe(NOW + 1);
  });
});
