import type { RequestResult } from '@vmpool/core';
import { describe, expect, it } from 'vitest';
import { foreignRequestTitle } from './requestTitle';

const base: RequestResult = {
  state: 'running',
  step: 'boot',
  progress: 0.5,
  message: '',
  updatedAt: 1,
};

describe('foreignRequestTitle', () => {
  it('is "in progress" only while the request runs', () => {
    expect(foreignRequestTitle(base, 'comp-x')).toBe('Request in progress');
    expect(foreignRequestTitle({ ...base, state: 'queued' }, null)).toBe('Request in progress');
  });

  it('names a finished assignment by its competition', () => {
    const done = { ...base, state: 'succeeded' as const, vmAddress: '127.0.0.1:3003' };
    expect(foreignRequestTitle(done, 'comp-x')).toBe('Assigned to comp-x');
  });

  it('names a failure by its message', () => {
    const failed = {
      ...base,
      state: 'failed' as const,
      message: 'x',
      error: { code: 'NO_VM_AVAILABLE' as const, message: 'no VM is free' },
    };
    expect(foreignRequestTitle(failed, 'comp-x')).toBe('Failed: no VM is free');
    expect(foreignRequestTitle({ ...base, state: 'failed', message: 'boom' }, null)).toBe(
      'Failed: boom',
    );
  });

  it('names any other finished request by its message', () => {
    const stopped = { ...base, state: 'succeeded' as const, message: 'vm-003 stopped' };
    expect(foreignRequestTitle(stopped, null)).toBe('Done: vm-003 stopped');
    expect(foreignRequestTitle({ ...base, state: 'succeeded' }, null)).toBe('Request done');
  });
});
