import { describe, expect, it } from 'vitest';
import { parseVmEntry, parseVmRecord, VM_ERROR_CAUSES } from './vm-record';

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
        errorCause: null,
        deadline: null,
        deadlineRetries: 0,
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
        recovery: {
          attempts: [],
          gaveUpAt: null,
          release: null,
          running: null,
          nextAttemptAt: null,
        },
        unhealthySince: null,
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

describe('errorCause and deadlineRetries', () => {
  it('reads a typed cause and a retry count, and refuses anything else', () => {
    for (const cause of VM_ERROR_CAUSES) {
      expect(parseVmRecord({ ...minimal, status: 'error', errorCause: cause })).toMatchObject({
        ok: true,
        value: { errorCause: cause },
      });
    }
    expect(parseVmRecord({ ...minimal, deadlineRetries: 1 })).toMatchObject({
      ok: true,
      value: { deadlineRetries: 1 },
    });
    const bad = parseVmRecord({ ...minimal, errorCause: 'gremlins', deadlineRetries: -1 });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors).toEqual([
      expect.stringMatching(/^errorCause: must be one of "agent_stale"/),
      'deadlineRetries: must be >= 0',
    ]);
  });
});

describe('parseVmEntry (the one way to read a stored VM)', () => {
  const stored = { ...minimal, vmId: undefined };

  it('takes the id from the key, whatever the node says', () => {
    expect(parseVmEntry('vm-001', stored)).toMatchObject({
      ok: true,
      value: { vmId: 'vm-001' },
      agentErrors: [],
    });
    expect(parseVmEntry('vm-002', { ...minimal, vmId: 'vm-001' })).toMatchObject({
      ok: true,
      value: { vmId: 'vm-002' },
    });
  });

  it('keeps a VM whose agent report is invalid, with no agent, and says what is wrong', () => {
    const entry = parseVmEntry('vm-001', { ...stored, agent: { online: 'yes', lastSeen: 5 } });
    expect(entry).toEqual({
      ok: true,
      value: expect.objectContaining({ vmId: 'vm-001', status: 'stopped', agent: null }),
      agentErrors: ['agent.online: must be true or false'],
    });
  });

  it('rejects a record whose own fields are invalid, reporting the agent problems too', () => {
    expect(
      parseVmEntry('vm-001', { ...stored, status: 'sleeping', agent: { online: 'yes' } }),
    ).toEqual({
      ok: false,
      errors: [
        expect.stringMatching(/^status: must be one of/),
        'agent.online: must be true or false',
        'agent.lastSeen: is required',
      ],
    });
    expect(parseVmEntry('vm-001', 'gone')).toEqual({
      ok: false,
      errors: ['(root): must be an object'],
    });
    expect(parseVmEntry('box', stored)).toMatchObject({ ok: false });
  });
});
