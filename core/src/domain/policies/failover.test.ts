import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { agent, config, NOW, vm } from '../../../tests/fixtures';
import type { FailoverRecord } from '../../contract/failover';
import { parseFailoverRecord } from '../../contract/failover';
import { EC2_STATES, VM_STATUSES, type VmStatus } from '../../contract/vm-record';
import { STATUS_CHECK_VALUES } from '../../ports/compute';
import {
  agentGone,
  failoverRecheckDelaySeconds,
  failedStatusChecks,
  failedVmStep,
  failoverStep,
  failoverWatchedCompetition,
  failureVerdict,
  switchedAlert,
  takeOutOfShow,
  type FailureVerdict,
} from './failover';

const cfg = config({ failoverAfterSeconds: 30, failoverMode: 'auto' });
const live = vm({
  vmId: 'vm-001',
  status: 'in_use',
  assignedTo: 'meet-1',
  assignedAt: NOW - 3_600_000,
  assignedBy: 'u1',
  requestId: 'r1',
  agent: agent(),
});

function record(overrides: Partial<FailoverRecord> = {}): FailoverRecord {
  return {
    competitionId: 'meet-1',
    failedVmId: 'vm-001',
    state: 'watching',
    since: NOW - 10_000,
    reason: 'agent offline and the show server does not answer',
    mode: 'auto',
    requestId: null,
    spareVmId: null,
    spareAddress: null,
    offeredVmId: null,
    restored: null,
    switchedBy: null,
    liveAt: null,
    detail: null,
    updatedAt: NOW - 10_000,
    failedVmHandled: null,
    ...overrides,
  };
}

const failed: FailureVerdict = { kind: 'failed', reason: 'agent offline' };

describe('failoverWatchedCompetition', () => {
  it('watches assigned and in-use VMs, and VMs that failed while holding the show', () => {
    expect(failoverWatchedCompetition(live)).toBe('meet-1');
    expect(failoverWatchedCompetition({ ...live, status: 'assigned' })).toBe('meet-1');
    expect(
      failoverWatchedCompetition({ ...live, status: 'error', errorCause: 'agent_stale' }),
    ).toBe('meet-1');
  });

  it('leaves free VMs, releases, starts and VMs already taken out alone', () => {
    expect(failoverWatchedCompetition({ ...live, assignedTo: null })).toBeNull();
    expect(failoverWatchedCompetition({ ...live, status: 'releasing' })).toBeNull();
    expect(failoverWatchedCompetition({ ...live, status: 'starting' })).toBeNull();
    expect(
      failoverWatchedCompetition({ ...live, status: 'error', errorCause: 'release_incomplete' }),
    ).toBeNull();
    expect(
      failoverWatchedCompetition({ ...live, status: 'error', errorCause: 'failed_over' }),
    ).toBeNull();
  });
});

describe('failureVerdict', () => {
  it('is healthy while the agent reports, whatever the probe says', () => {
    expect(failureVerdict(live, cfg, NOW, 'unreachable')).toEqual({ kind: 'healthy' });
    expect(failureVerdict(live, cfg, NOW, null)).toEqual({ kind: 'healthy' });
  });

  it('fails a VM whose agent is offline and whose show server does not answer', () => {
    const offline = { ...live, agent: agent({ online: false }) };
    expect(failureVerdict(offline, cfg, NOW, 'unreachable')).toEqual({
      kind: 'failed',
      reason: 'agent offline and the show server does not answer',
    });
    // Nothing could be probed (no address): the show controller cannot reach it either.
    expect(failureVerdict(offline, cfg, NOW, null).kind).toBe('failed');
  });

  it('fails a VM whose agent is silent past agentStaleSeconds', () => {
    const silent = { ...live, agent: agent({ lastSeen: NOW - 61_000 }) };
    expect(failureVerdict(silent, cfg, NOW, 'unreachable')).toEqual({
      kind: 'failed',
      reason: 'agent silent and the show server does not answer',
    });
    const recent = { ...live, agent: agent({ lastSeen: NOW - 59_000 }) };
    expect(failureVerdict(recent, cfg, NOW, 'unreachable').kind).toBe('healthy');
  });

  it('is only degraded when the agent is gone but the show server answers', () => {
    const offline = { ...live, agent: agent({ online: false }) };
    expect(failureVerdict(offline, cfg, NOW, 'reachable')).toEqual({
      kind: 'degraded',
      reason: 'agent offline, but the show server still answers',
    });
  });

  it('fails a VM that EC2 reports stopped, going or gone, even with a reporting agent', () => {
    for (const ec2State of ['stopped', 'stopping', 'shutting-down', 'terminated'] as const) {
      expect(failureVerdict({ ...live, ec2State }, cfg, NOW, 'reachable')).toEqual({
        kind: 'failed',
        reason: `EC2 reports the instance ${ec2State}`,
      });
    }
    expect(
      failureVerdict({ ...live, errorCause: 'instance_missing' }, cfg, NOW, 'reachable'),
    ).toEqual({ kind: 'failed', reason: 'the instance is gone from EC2' });
  });
});

// --- status checks (issue 12)
describe('failureVerdict with EC2 status checks', () => {
  const ok = { instanceStatus: 'ok', systemStatus: 'ok' } as const;

  it('fails a VM whose instance or system status checks failed, even with a reporting agent', () => {
    expect(
      failureVerdict(live, cfg, NOW, 'reachable', { ...ok, instanceStatus: 'impaired' }),
    ).toEqual({ kind: 'failed', reason: 'EC2 reports failed instance status checks' });
    expect(failureVerdict(live, cfg, NOW, null, { ...ok, systemStatus: 'impaired' })).toEqual({
      kind: 'failed',
      reason: 'EC2 reports failed system status checks',
    });
    expect(
      failureVerdict(live, cfg, NOW, null, {
        instanceStatus: 'impaired',
        systemStatus: 'impaired',
      }),
    ).toEqual({ kind: 'failed', reason: 'EC2 reports failed instance and system status checks' });
  });

  it('never counts initializing, insufficient data or not applicable as a failure', () => {
    for (const value of ['ok', 'initializing', 'insufficient-data', 'not-applicable'] as const) {
      const checks = { instanceStatus: value, systemStatus: value };
      expect(failedStatusChecks(checks)).toBeNull();
      expect(failureVerdict(live, cfg, NOW, 'unreachable', checks)).toEqual({ kind: 'healthy' });
    }
    expect(failedStatusChecks(null)).toBeNull();
  });

  it('an EC2 state that cannot serve is named before the status checks', () => {
    expect(
      failureVerdict({ ...live, ec2State: 'stopping' }, cfg, NOW, null, {
        instanceStatus: 'impaired',
        systemStatus: 'ok',
      }),
    ).toEqual({ kind: 'failed', reason: 'EC2 reports the instance stopping' });
  });

  const checkValue = fc.constantFrom(...STATUS_CHECK_VALUES);
  const anyVm = fc.record({
    online: fc.option(fc.boolean(), { nil: null }),
    silentMs: fc.integer({ min: 0, max: 300_000 }),
    ec2State: fc.constantFrom(...EC2_STATES),
    missing: fc.boolean(),
  });
  const probe = fc.constantFrom('reachable' as const, 'unreachable' as const, null);
  const checks = fc.option(fc.record({ instanceStatus: checkValue, systemStatus: checkValue }), {
    nil: null,
  });
  const build = (input: {
    online: boolean | null;
    silentMs: number;
    ec2State: (typeof EC2_STATES)[number];
    missing: boolean;
  }) => ({
    ...live,
    ec2State: input.ec2State,
    errorCause: input.missing ? ('instance_missing' as const) : null,
    agent:
      input.online === null
        ? null
        : agent({ online: input.online, lastSeen: NOW - input.silentMs }),
  });

  it('impaired checks always fail the VM; other checks change nothing (property)', () => {
    fc.assert(
      fc.property(anyVm, probe, checks, (input, reach, status) => {
        const subject = build(input);
        const withChecks = failureVerdict(subject, cfg, NOW, reach, status);
        const without = failureVerdict(subject, cfg, NOW, reach, null);
        const impaired =
          status !== null &&
          (status.instanceStatus === 'impaired' || status.systemStatus === 'impaired');
        if (impaired) return withChecks.kind === 'failed';
        return JSON.stringify(withChecks) === JSON.stringify(without);
      }),
    );
  });

  it('degraded only when the agent is gone, the show server answers and EC2 finds nothing wrong (property)', () => {
    fc.assert(
      fc.property(anyVm, probe, checks, (input, reach, status) => {
        const subject = build(input);
        const verdict = failureVerdict(subject, cfg, NOW, reach, status);
        const ec2Wrong =
          ['stopping', 'stopped', 'shutting-down', 'terminated'].includes(subject.ec2State) ||
          input.missing ||
          failedStatusChecks(status) !== null;
        const gone = agentGone(subject, cfg, NOW);
        const expected = ec2Wrong
          ? 'failed'
          : !gone
            ? 'healthy'
            : reach === 'reachable'
              ? 'degraded'
              : 'failed';
        return verdict.kind === expected;
      }),
    );
  });
});
// --- end status checks

describe('failoverStep', () => {
  it('starts watching at the first failure and switches once it lasted failoverAfterSeconds', () => {
    expect(failoverStep(null, 'vm-001', failed, cfg, NOW)).toEqual({
      kind: 'watch',
      since: NOW,
      reason: 'agent offline',
    });
    expect(failoverStep(record({ since: NOW - 29_999 }), 'vm-001', failed, cfg, NOW)).toEqual({
      kind: 'none',
    });
    expect(failoverStep(record({ since: NOW - 30_000 }), 'vm-001', failed, cfg, NOW)).toEqual({
      kind: 'switch',
    });
  });

  it('offers the switch in confirm mode and only alerts when failover is off', () => {
    const old = record({ since: NOW - 60_000 });
    expect(failoverStep(old, 'vm-001', failed, { ...cfg, failoverMode: 'confirm' }, NOW)).toEqual({
      kind: 'offer',
    });
    expect(failoverStep(old, 'vm-001', failed, { ...cfg, failoverMode: 'off' }, NOW)).toEqual({
      kind: 'alert',
    });
    expect(
      failoverStep(record({ state: 'offered' }), 'vm-001', failed, cfg, NOW + 600_000),
    ).toEqual({ kind: 'none' });
  });

  it('clears a failure that went away before the switch, and resumes a switch that started', () => {
    expect(failoverStep(record(), 'vm-001', { kind: 'healthy' }, cfg, NOW)).toEqual({
      kind: 'clear',
    });
    expect(failoverStep(record(), 'vm-001', { kind: 'degraded', reason: 'x' }, cfg, NOW)).toEqual({
      kind: 'clear',
    });
    expect(
      failoverStep(record({ state: 'switching' }), 'vm-001', { kind: 'healthy' }, cfg, NOW),
    ).toEqual({ kind: 'resume' });
  });

  it('watches anew when the record is about another VM or a finished failover', () => {
    const spareFails = failoverStep(
      record({ state: 'switched', spareVmId: 'vm-002' }),
      'vm-002',
      failed,
      cfg,
      NOW,
    );
    expect(spareFails).toEqual({ kind: 'watch', since: NOW, reason: 'agent offline' });
    expect(failoverStep(record({ state: 'switched' }), 'vm-001', failed, cfg, NOW).kind).toBe(
      'watch',
    );
  });

  it('never switches before the failure lasted failoverAfterSeconds (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 600 }),
        fc.integer({ min: 0, max: 1_200_000 }),
        fc.constantFrom('auto', 'confirm', 'off' as const),
        (after, elapsed, mode) => {
          const step = failoverStep(
            record({ since: NOW - elapsed }),
            'vm-001',
            failed,
            { failoverAfterSeconds: after, failoverMode: mode },
            NOW,
          );
          const acts = step.kind === 'switch' || step.kind === 'offer' || step.kind === 'alert';
          return acts === elapsed >= after * 1000;
        },
      ),
    );
  });
});

describe('takeOutOfShow', () => {
  it('moves a live VM to error (failed_over) and clears its assignment', () => {
    const out = takeOutOfShow(live, 'meet-1', NOW, 'agent offline');
    expect(out).toMatchObject({
      ok: true,
      vm: {
        status: 'error',
        errorCause: 'failed_over',
        assignedTo: null,
        assignedAt: null,
        assignedBy: null,
        requestId: null,
        statusChangedAt: NOW,
      },
    });
  });

  it('refuses a VM that does not hold the competition', () => {
    expect(takeOutOfShow(live, 'meet-2', NOW, 'x')).toEqual({
      ok: false,
      error: 'vm-001: not assigned to meet-2',
    });
  });

  it('for any status that holds the show, the result holds nothing and is error (property)', () => {
    const holding: VmStatus[] = ['assigned', 'in_use', 'error'];
    fc.assert(
      fc.property(fc.constantFrom(...holding), (status) => {
        const out = takeOutOfShow({ ...live, status, errorCause: null }, 'meet-1', NOW, 'x');
        return (
          out.ok &&
          out.vm.status === 'error' &&
          out.vm.assignedTo === null &&
          out.vm.errorCause === 'failed_over'
        );
      }),
    );
    // Statuses without a fail edge are refused rather than forced.
    const others = VM_STATUSES.filter((status) => !holding.includes(status) && status !== 'error');
    for (const status of others) {
      const out = takeOutOfShow({ ...live, status }, 'meet-1', NOW, 'x');
      if (out.ok) expect(out.vm.status).toBe('error');
    }
  });
});

// --- the failed VM after the switch (issue 12)
describe('failedVmStep', () => {
  const out = {
    ...live,
    status: 'error' as const,
    errorCause: 'failed_over' as const,
    assignedTo: null,
  };

  it('reboots or stops a running VM taken out of the show, per failedVmAction', () => {
    expect(failedVmStep(out, 'meet-1', 'reboot')).toEqual({ kind: 'reboot' });
    expect(failedVmStep(out, 'meet-1', 'stop')).toEqual({ kind: 'stop' });
    expect(failedVmStep({ ...out, ec2State: 'pending' }, 'meet-1', 'stop')).toEqual({
      kind: 'stop',
    });
  });

  it('waits while the VM still holds the show, and asks a stop again when it is stopping', () => {
    expect(failedVmStep(live, 'meet-1', 'reboot')).toEqual({ kind: 'wait' });
    const stopping = { ...out, status: 'stopping' as const, errorCause: null };
    expect(failedVmStep(stopping, 'meet-1', 'stop')).toEqual({ kind: 'stop' });
    expect(failedVmStep(stopping, 'meet-1', 'reboot').kind).toBe('left');
  });

  it('leaves alone a VM that is gone, not running, or that moved on', () => {
    expect(failedVmStep(null, 'meet-1', 'reboot')).toEqual({
      kind: 'left',
      why: 'its record is gone',
    });
    expect(failedVmStep({ ...out, ec2State: 'stopped' }, 'meet-1', 'reboot')).toEqual({
      kind: 'left',
      why: 'EC2 reports it stopped: nothing to reboot',
    });
    expect(failedVmStep({ ...out, ec2State: 'stopped' }, 'meet-1', 'stop').kind).toBe('left');
    expect(
      failedVmStep({ ...out, status: 'available', errorCause: null }, 'meet-1', 'stop'),
    ).toEqual({ kind: 'left', why: 'it is available now' });
  });

  it('leaves alone a failed VM that another show took since', () => {
    expect(failedVmStep({ ...out, assignedTo: 'meet-2' }, 'meet-1', 'stop')).toEqual({
      kind: 'left',
      why: 'it holds meet-2 now',
    });
    expect(failedVmStep({ ...out, assignedTo: 'meet-2' }, 'meet-1', 'reboot').kind).toBe('left');
  });

  it('never acts on a VM that holds a show or is not failed_over/stopping (every case)', () => {
    // The space is small: check all of it rather than sample it (a sample missed a case once).
    const wrong: unknown[] = [];
    for (const status of VM_STATUSES)
      for (const errorCause of [null, 'failed_over', 'agent_stale'] as const)
        for (const assignedTo of [null, 'meet-1', 'meet-2'])
          for (const ec2State of EC2_STATES)
            for (const action of ['reboot', 'stop'] as const) {
              const step = failedVmStep(
                { status, errorCause, assignedTo, ec2State },
                'meet-1',
                action,
              );
              if (step.kind !== 'reboot' && step.kind !== 'stop') continue;
              const holdsNothing = assignedTo === null;
              const failedOver = status === 'error' && errorCause === 'failed_over';
              const stopAgain = status === 'stopping' && step.kind === 'stop';
              const ec2Ok = step.kind === 'reboot' ? ec2State === 'running' : true;
              const fine =
                step.kind === action && holdsNothing && (failedOver || stopAgain) && ec2Ok;
              if (!fine) wrong.push([status, errorCause, assignedTo, ec2State, action, step.kind]);
            }
    expect(wrong).toEqual([]);
  });
});
// --- end the failed VM

// --- failover re-check (issue 12)
describe('failoverRecheckDelaySeconds', () => {
  it('is due one second after the failure lasted failoverAfterSeconds', () => {
    expect(failoverRecheckDelaySeconds(NOW, NOW, { failoverAfterSeconds: 30 })).toBe(31);
    expect(failoverRecheckDelaySeconds(NOW - 10_500, NOW, { failoverAfterSeconds: 30 })).toBe(21);
    expect(failoverRecheckDelaySeconds(NOW - 60_000, NOW, { failoverAfterSeconds: 30 })).toBe(1);
  });

  it('a re-check at the delay always finds the failure old enough to act on (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 600 }),
        fc.integer({ min: 0, max: 1_200_000 }),
        (after, elapsed) => {
          const since = NOW - elapsed;
          const delay = failoverRecheckDelaySeconds(since, NOW, { failoverAfterSeconds: after });
          const step = failoverStep(
            record({ since }),
            'vm-001',
            failed,
            { failoverAfterSeconds: after, failoverMode: 'auto' },
            NOW + delay * 1000,
          );
          return delay >= 1 && step.kind === 'switch';
        },
      ),
    );
  });
});
// --- end failover re-check

describe('alerts', () => {
  it('the switch alert names the failed VM, the new VM and address, and what was restored', () => {
    const alert = switchedAlert({
      competitionId: 'meet-1',
      failedVmId: 'vm-001',
      reason: 'agent offline and the show server does not answer',
      now: NOW,
      spareVmId: 'vm-003',
      spareAddress: '3.3.3.3:3003',
      restored: 'No saved state was restored.',
    });
    expect(alert).toMatchObject({
      scope: 'meet-1',
      level: 'critical',
      sourceId: 'failover-vm-001',
      title: 'vm-001 failed: show moved to vm-003',
      autoResolve: false,
    });
    expect(alert.message).toContain('now runs on vm-003 at 3.3.3.3:3003');
    expect(alert.message).toContain('No saved state was restored.');
  });

  it('the failover record round-trips through its validator', () => {
    expect(parseFailoverRecord(record())).toEqual({ ok: true, value: record() });
    expect(parseFailoverRecord({ ...record(), state: 'bogus' }).ok).toBe(false);
  });
});
