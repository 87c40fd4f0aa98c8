import { describe, expect, it } from 'vitest';
import { VM_STATUSES } from '../contract/vm-record';
import {
  DEADLINE_RETRY_LIMIT,
  DEADLINE_RULES,
  deadlineFor,
  deadlineRetryLeft,
  deadlineRule,
  estimatedReadyAt,
} from './deadlines';
import { canTransition, isTransitional } from './vm-status';

const limits = {
  warmupTimeSeconds: 180,
  startDeadlineFactor: 2,
  stopDeadlineMs: 600_000,
  releaseTimeoutMs: 300_000,
};

describe('DEADLINE_RULES', () => {
  it('gives every transitional status, and only those, a deadline that can pass', () => {
    expect(Object.keys(DEADLINE_RULES).sort()).toEqual(VM_STATUSES.filter(isTransitional).sort());
    for (const status of VM_STATUSES) {
      expect(deadlineRule(status) !== null).toBe(isTransitional(status));
      if (isTransitional(status)) expect(canTransition(status, 'deadline_passed')).toBe(true);
    }
  });

  it('retries the EC2 call of a start, stop or terminate once; a release finishes itself', () => {
    expect(deadlineRule('starting')).toEqual({
      budget: 'warmup',
      retry: 'start',
      timeoutCause: 'start_timeout',
    });
    expect(deadlineRule('stopping')).toEqual({
      budget: 'stop',
      retry: 'stop',
      timeoutCause: 'stop_timeout',
    });
    expect(deadlineRule('terminating')).toEqual({
      budget: 'stop',
      retry: 'terminate',
      timeoutCause: 'terminate_timeout',
    });
    expect(deadlineRule('releasing')).toEqual({
      budget: 'release',
      retry: null,
      timeoutCause: 'release_incomplete',
    });
    expect(deadlineRule('available')).toBeNull();
  });
});

describe('deadlineFor', () => {
  it('takes the budget of the status from the pool config and the settings', () => {
    expect(deadlineFor('starting', 1000, limits)).toBe(1000 + 360_000);
    expect(deadlineFor('stopping', 1000, limits)).toBe(1000 + 600_000);
    expect(deadlineFor('terminating', 1000, limits)).toBe(1000 + 600_000);
    expect(deadlineFor('releasing', 1000, limits)).toBe(1000 + 300_000);
  });

  it('has no deadline for a status that does not time out', () => {
    for (const status of VM_STATUSES.filter((s) => !isTransitional(s))) {
      expect(deadlineFor(status, 1000, limits)).toBeNull();
    }
  });
});

describe('deadlineRetryLeft', () => {
  it('allows the retries of a status with an EC2 call, up to the limit', () => {
    expect(DEADLINE_RETRY_LIMIT).toBe(1);
    expect(deadlineRetryLeft({ status: 'starting', deadlineRetries: 0 })).toBe(true);
    expect(deadlineRetryLeft({ status: 'starting', deadlineRetries: 1 })).toBe(false);
    expect(deadlineRetryLeft({ status: 'terminating', deadlineRetries: 0 })).toBe(true);
    expect(deadlineRetryLeft({ status: 'releasing', deadlineRetries: 0 })).toBe(false);
    expect(deadlineRetryLeft({ status: 'available', deadlineRetries: 0 })).toBe(false);
  });
});

describe('estimatedReadyAt', () => {
  it('is the start plus the warm-up time', () => {
    expect(estimatedReadyAt(5000, { warmupTimeSeconds: 180 })).toBe(185_000);
  });
});
