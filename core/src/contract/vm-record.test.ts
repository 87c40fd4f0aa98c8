import { describe, expect, it } from 'vitest';
import { parseVmRecord } from './vm-record';

const minimal = {
  vmId: 'vm-001',
  instanceId: 'i-0123456789abcdef0',
  status: 'stopped',
  statusChangedAt: 1,
  createdAt: 1,
};

describe('parseVmRecord', () => {
  it('reads missing fields as null or their defaults', () => {
    expect(parseVmRecord(minimal)).toEqual({
      ok: true,
      value: {
        ...minimal,
        region: '',
        statusReason: '',
        deadline: null,
        ec2State: 'unknown',
        publicIp: null,
        privateIp: null,
        publicDns: null,
        assignedTo: null,
        assignedAt: null,
        assignedBy: null,
        requestId: null,
        healthStatus: 'unknown',
        lastHealthCheck: null,
        lastStartedAt: null,
        lastStoppedAt: null,
        lastReleasedAt: null,
        totalAssignments: 0,
        tags: {},
        agent: null,
      },
    });
  });

  it('reads capability lists stored as RTDB objects with numeric keys', () => {
    const parsed = parseVmRecord({
      ...minimal,
      tags: { region: 'east', capability: { 1: 'b', 0: 'a' } },
    });
    expect(parsed).toMatchObject({
      ok: true,
      value: { tags: { region: 'east', capability: ['a', 'b'] } },
    });
  });

  it('parses the agent subtree and reports its problems with their path', () => {
    const withAgent = parseVmRecord({ ...minimal, agent: { online: true, lastSeen: 5 } });
    expect(withAgent).toMatchObject({ ok: true, value: { agent: { online: true, services: {} } } });
    expect(parseVmRecord({ ...minimal, agent: { online: 'yes', lastSeen: 5 } })).toEqual({
      ok: false,
      errors: ['agent.online: must be true or false'],
    });
  });

  it('rejects unknown statuses and malformed ids', () => {
    const parsed = parseVmRecord({ ...minimal, vmId: 'box', status: 'sleeping', ec2State: 'zzz' });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors[0]).toBe('vmId: must match vm-[a-z0-9-]{1,40}');
    expect(parsed.errors[1]).toMatch(/^status: must be one of "available"/);
    expect(parsed.errors[2]).toMatch(/^ec2State: must be one of "pending"/);
  });
});
