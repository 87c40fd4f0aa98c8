import { describe, expect, it } from 'vitest';
import {
  SCHEDULE_REQUESTER,
  isFinalRequestState,
  isFinalResult,
  isScheduleRequest,
  parsePoolRequest,
  parseRequestResult,
  REQUEST_STATES,
} from './request';

const who = { requestedBy: 'uid-1', requestedAt: 1_700_000_000_000 };

describe('parsePoolRequest', () => {
  it('accepts each action with the fields it needs', () => {
    expect(parsePoolRequest({ ...who, action: 'assign', competitionId: 'c1' })).toEqual({
      ok: true,
      value: { ...who, action: 'assign', competitionId: 'c1', options: {} },
    });
    expect(
      parsePoolRequest({
        ...who,
        action: 'assign',
        competitionId: 'c1',
        options: { preferredVmId: 'vm-002', region: 'us-west-2', capability: '4k' },
      }),
    ).toMatchObject({
      ok: true,
      value: { options: { preferredVmId: 'vm-002', capability: '4k' } },
    });
    expect(
      parsePoolRequest({
        ...who,
        action: 'release',
        competitionId: 'c1',
        options: { archiveRecordings: true, stopVM: false },
      }),
    ).toMatchObject({ ok: true, value: { options: { archiveRecordings: true, stopVM: false } } });
    for (const action of ['start', 'stop', 'reboot', 'terminate'] as const) {
      expect(parsePoolRequest({ ...who, action, vmId: 'vm-001' })).toEqual({
        ok: true,
        value: { ...who, action, vmId: 'vm-001' },
      });
    }
    expect(
      parsePoolRequest({ ...who, action: 'launch', options: { instanceType: 'c5.xlarge' } }),
    ).toEqual({
      ok: true,
      value: { ...who, action: 'launch', options: { instanceType: 'c5.xlarge' } },
    });
    expect(
      parsePoolRequest({
        ...who,
        action: 'maintenance',
        vmId: 'vm-001',
        options: { enabled: false },
      }),
    ).toMatchObject({ ok: true, value: { options: { enabled: false } } });
  });

  it('reads missing options as empty for release and launch', () => {
    expect(parsePoolRequest({ ...who, action: 'release', competitionId: 'c1' })).toEqual({
      ok: true,
      value: { ...who, action: 'release', competitionId: 'c1', options: {} },
    });
    expect(parsePoolRequest({ ...who, action: 'launch' })).toEqual({
      ok: true,
      value: { ...who, action: 'launch', options: {} },
    });
  });

  it('ignores the result child the control plane writes beside the request', () => {
    expect(
      parsePoolRequest({ ...who, action: 'stop', vmId: 'vm-001', result: { state: 'queued' } }),
    ).toEqual({ ok: true, value: { ...who, action: 'stop', vmId: 'vm-001' } });
  });

  it('rejects unknown actions and non-objects', () => {
    expect(parsePoolRequest({ ...who, action: 'explode' })).toEqual({
      ok: false,
      errors: [
        'action: must be one of assign, release, start, stop, reboot, launch, terminate, maintenance, recover',
      ],
    });
    expect(parsePoolRequest(null)).toEqual({ ok: false, errors: ['(root): must be an object'] });
    expect(parsePoolRequest([1])).toEqual({ ok: false, errors: ['(root): must be an object'] });
  });

  it('reports missing fields, extra fields and bad options together', () => {
    expect(
      parsePoolRequest({ action: 'assign', vmId: 'vm-001', options: { stopVM: true } }),
    ).toEqual({
      ok: false,
      errors: [
        'requestedBy: is required',
        'requestedAt: is required',
        'competitionId: is required',
        'options: unknown field stopVM',
        '(root): unknown field vmId',
      ],
    });
    expect(
      parsePoolRequest({ ...who, action: 'start', vmId: 'vm-001', options: { x: 1 } }),
    ).toEqual({ ok: false, errors: ['options: unknown field x'] });
    expect(parsePoolRequest({ ...who, action: 'maintenance', vmId: 'vm-001' })).toEqual({
      ok: false,
      errors: ['options: is required'],
    });
  });

  it('enforces sizes and formats', () => {
    const parsed = parsePoolRequest({
      requestedBy: 'u'.repeat(129),
      requestedAt: -1,
      action: 'assign',
      competitionId: 'c1; rm -rf /',
      options: { preferredVmId: 'box', region: 'moon', capability: '$(x)' },
    });
    expect(parsed).toEqual({
      ok: false,
      errors: [
        'requestedBy: must be at most 128 characters',
        'requestedAt: must be >= 0',
        'competitionId: must be 1..128 letters, digits, _ or -',
        'options.preferredVmId: must be a VM id such as vm-001',
        'options.region: must be an AWS region',
        'options.capability: must be a short tag such as 4k',
      ],
    });
    expect(
      parsePoolRequest({ ...who, action: 'launch', options: { instanceType: 'big' } }),
    ).toEqual({
      ok: false,
      errors: ['options.instanceType: must look like family.size, e.g. t3.large'],
    });
  });
});

describe('parseRequestResult', () => {
  it('fills defaults and reads steps written as an RTDB object', () => {
    expect(
      parseRequestResult({
        state: 'running',
        updatedAt: 5,
        steps: {
          0: { name: 'start EC2', state: 'done', at: 4 },
          1: { name: 'wait', state: 'running' },
        },
      }),
    ).toEqual({
      ok: true,
      value: {
        state: 'running',
        step: '',
        progress: 0,
        message: '',
        updatedAt: 5,
        steps: [
          { name: 'start EC2', state: 'done', at: 4 },
          { name: 'wait', state: 'running' },
        ],
      },
    });
  });

  it('accepts a failure with an error code and rejects unknown codes', () => {
    expect(
      parseRequestResult({
        state: 'failed',
        step: 'pick',
        progress: 1,
        message: 'no VM',
        error: { code: 'NO_VM_AVAILABLE', message: 'none free' },
        updatedAt: 1,
      }).ok,
    ).toBe(true);
    const bad = parseRequestResult({
      state: 'failed',
      progress: 2,
      error: { code: 'OOPS', message: '' },
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors).toContain('progress: must be <= 1');
    expect(bad.errors).toContain('updatedAt: is required');
    expect(
      bad.errors.some((line) => line.startsWith('error.code: must be one of "INVALID_REQUEST"')),
    ).toBe(true);
  });
});

describe('the schedule as a requester', () => {
  it('accepts requestedBy "schedule" and tells such requests apart', () => {
    const parsed = parsePoolRequest({
      action: 'assign',
      competitionId: 'comp-a',
      options: { preferredVmId: 'vm-003' },
      requestedBy: SCHEDULE_REQUESTER,
      requestedAt: 5,
    });
    expect(parsed).toMatchObject({ ok: true, value: { requestedBy: 'schedule' } });
    if (!parsed.ok) return;
    expect(isScheduleRequest(parsed.value)).toBe(true);
    expect(isScheduleRequest({ requestedBy: 'u-producer' })).toBe(false);
  });
});

describe('isFinalResult', () => {
  it('is true for succeeded and failed results only', () => {
    expect(REQUEST_STATES.filter(isFinalRequestState)).toEqual(['succeeded', 'failed']);
    expect(isFinalResult({ state: 'succeeded' })).toBe(true);
    expect(isFinalResult({ state: 'failed', error: { code: 'INTERNAL', message: 'x' } })).toBe(
      true,
    );
    expect(isFinalResult({ state: 'running' })).toBe(false);
  });

  it('reads raw RTDB values: nothing yet, or not a result, is not final', () => {
    expect(isFinalResult(null)).toBe(false);
    expect(isFinalResult(undefined)).toBe(false);
    expect(isFinalResult('succeeded')).toBe(false);
    expect(isFinalResult({ state: 42 })).toBe(false);
  });
});
