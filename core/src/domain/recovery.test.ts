import { describe, expect, it } from 'vitest';
import { agent, config, NOW, vm } from '../../tests/fixtures';
import { VM_ERROR_CAUSES, type VmRecovery } from '../contract/vm-record';
import { COMMAND_OPS } from '../contract/command';
import { COMMAND_CATALOGUE } from './commands';
import {
  attemptsInWindow,
  decideRecovery,
  isIdempotentOp,
  rearmRecovery,
  RECOVERY_POLICIES,
  recoveryCleanupOps,
  giveUpRecovery,
  nextRecoveryAttemptAt,
  recoveryOutlook,
  scheduleRecovery,
  startRecoveryAttempt,
} from './recovery';
import { applyStatusChange } from './vm-status';

const cfg = config({ recoveryMaxAttempts: 3, recoveryWindowMinutes: 30 });
const none: VmRecovery = {
  attempts: [],
  gaveUpAt: null,
  release: null,
  running: null,
  nextAttemptAt: null,
};
const failed = (over: Parameters<typeof vm>[0]) =>
  vm({ status: 'error', errorCause: 'agent_stale', agent: agent(), ...over });

describe('RECOVERY_POLICIES', () => {
  it('has a policy for every cause, and only instance_missing needs an admin', () => {
    expect(Object.keys(RECOVERY_POLICIES).sort()).toEqual([...VM_ERROR_CAUSES].sort());
    const manual = VM_ERROR_CAUSES.filter((cause) => !RECOVERY_POLICIES[cause].automatic);
    expect(manual).toEqual(['instance_missing']);
  });
});

describe('decideRecovery', () => {
  it('recovers a VM whose agent reports again, and waits while it is silent', () => {
    expect(decideRecovery(failed({ vmId: 'vm-001' }), cfg, NOW)).toMatchObject({
      kind: 'act',
      action: 'recover',
    });
    const silent = failed({ vmId: 'vm-001', agent: agent({ lastSeen: NOW - 600_000 }) });
    expect(decideRecovery(silent, cfg, NOW)).toMatchObject({
      kind: 'wait',
      waitingFor: 'the agent to report again',
    });
    expect(decideRecovery(failed({ vmId: 'vm-001', agent: null }), cfg, NOW).kind).toBe('wait');
  });

  it('needs EC2 running for agent conditions, and leaves a stopped instance to the EC2 sync', () => {
    const stopped = failed({ vmId: 'vm-001', ec2State: 'stopped' });
    expect(decideRecovery(stopped, cfg, NOW)).toMatchObject({ kind: 'wait' });
    const pending = failed({ vmId: 'vm-001', ec2State: 'pending' });
    expect(decideRecovery(pending, cfg, NOW)).toMatchObject({ kind: 'wait' });
  });

  it('requires a healthy verdict for health_failed but accepts degraded for a stale agent', () => {
    const degraded = agent({
      services: {
        showServer: { state: 'up', checkedAt: NOW, port: 3003 },
        noMachine: { state: 'down', checkedAt: NOW, port: 4000 },
      },
    });
    expect(decideRecovery(failed({ vmId: 'vm-001', agent: degraded }), cfg, NOW).kind).toBe('act');
    const health = failed({ vmId: 'vm-001', errorCause: 'health_failed', agent: degraded });
    expect(decideRecovery(health, cfg, NOW).kind).toBe('wait');
    expect(decideRecovery({ ...health, agent: agent() }, cfg, NOW).kind).toBe('act');
  });

  it('re-drives stop and terminate timeouts from EC2 state', () => {
    const stop = failed({ vmId: 'vm-001', errorCause: 'stop_timeout', agent: null });
    expect(decideRecovery(stop, cfg, NOW)).toMatchObject({ kind: 'act', action: 'redrive_stop' });
    const term = failed({ vmId: 'vm-001', errorCause: 'terminate_timeout', agent: null });
    expect(decideRecovery(term, cfg, NOW)).toMatchObject({
      kind: 'act',
      action: 'redrive_terminate',
    });
    expect(decideRecovery({ ...term, ec2State: 'terminated' }, cfg, NOW).kind).toBe('wait');
    // A competition still holding it: not stopped or terminated behind its back.
    expect(decideRecovery({ ...stop, assignedTo: 'meet-1' }, cfg, NOW).kind).toBe('manual');
  });

  it('re-runs an interrupted release once the agent is back, and reports a running re-run', () => {
    const release = { competitionId: 'meet-1', archiveRecordings: true, stopVM: true };
    const vmRec = failed({
      vmId: 'vm-001',
      errorCause: 'release_incomplete',
      recovery: { ...none, release },
    });
    expect(decideRecovery(vmRec, cfg, NOW)).toMatchObject({
      kind: 'act',
      action: 'rerun_release_cleanup',
    });
    const running = {
      ...vmRec,
      recovery: { ...vmRec.recovery, running: { id: 'recover-x', startedAt: NOW } },
    };
    expect(decideRecovery(running, cfg, NOW)).toMatchObject({ kind: 'running', id: 'recover-x' });
  });

  it('never recovers a missing instance or an unrecorded cause by itself', () => {
    expect(
      decideRecovery(failed({ vmId: 'vm-001', errorCause: 'instance_missing' }), cfg, NOW).kind,
    ).toBe('manual');
    expect(decideRecovery(failed({ vmId: 'vm-001', errorCause: null }), cfg, NOW).kind).toBe(
      'manual',
    );
    expect(decideRecovery(vm({ vmId: 'vm-001' }), cfg, NOW).kind).toBe('none');
  });

  it('gives up after recoveryMaxAttempts inside the window, and stays given up', () => {
    const attempts = [NOW - 20 * 60_000, NOW - 10 * 60_000, NOW - 60_000];
    const vmRec = failed({ vmId: 'vm-001', recovery: { ...none, attempts } });
    expect(decideRecovery(vmRec, cfg, NOW)).toMatchObject({
      kind: 'gave_up',
      firstGiveUp: true,
      attempts: 3,
    });
    // One attempt out of the window: allowed again.
    const later = NOW + 11 * 60_000;
    const fresh = { ...vmRec, agent: agent({ lastSeen: later - 1000 }) };
    expect(decideRecovery(fresh, cfg, later).kind).toBe('act');
    // Once recorded as given up it stays so, even when the window has moved on.
    const gaveUp = { ...fresh, recovery: { ...fresh.recovery, gaveUpAt: NOW } };
    expect(decideRecovery(gaveUp, cfg, later)).toMatchObject({
      kind: 'gave_up',
      firstGiveUp: false,
    });
    expect(
      decideRecovery({ ...gaveUp, recovery: rearmRecovery(gaveUp.recovery) }, cfg, later).kind,
    ).toBe('act');
  });

  it('treats recoveryMaxAttempts 0 as automatic recovery off', () => {
    const off = config({ recoveryMaxAttempts: 0 });
    expect(decideRecovery(failed({ vmId: 'vm-001' }), off, NOW).kind).toBe('gave_up');
    expect(recoveryOutlook(failed({ vmId: 'vm-001' }), off, NOW)).toMatchObject({
      automatic: false,
      needsAdmin: true,
    });
  });
});

describe('recovery bookkeeping', () => {
  it('counts attempts in the window and drops older ones when a new one begins', () => {
    const old = NOW - 31 * 60_000;
    const next = startRecoveryAttempt({ ...none, attempts: [old, NOW - 1000] }, cfg, NOW);
    expect(next.attempts).toEqual([NOW - 1000, NOW]);
    expect(attemptsInWindow([old, NOW - 1000, NOW + 5], cfg, NOW)).toEqual([NOW - 1000]);
  });

  it('keeps the attempts across status changes but forgets the failure when leaving error', () => {
    const release = { competitionId: 'meet-1', archiveRecordings: false, stopVM: false };
    const rec = failed({
      vmId: 'vm-001',
      recovery: {
        attempts: [NOW - 1],
        gaveUpAt: null,
        release,
        running: { id: 'recover-a', startedAt: NOW },
        nextAttemptAt: NOW + 60_000,
      },
    });
    const out = applyStatusChange(rec, { event: 'recover', reason: 'ok' }, NOW);
    expect(out.ok && out.vm.recovery).toEqual({ ...none, attempts: [NOW - 1] });
    const avail = vm({ vmId: 'vm-001', recovery: { ...none, attempts: [NOW - 1] } });
    const back = applyStatusChange(
      avail,
      { event: 'fail', reason: 'x', cause: 'agent_stale' },
      NOW,
    );
    expect(back.ok && back.vm.recovery.attempts).toEqual([NOW - 1]);
  });

  it('re-runs the cleanup in the release order and never clears unarchived recordings blindly', () => {
    expect(
      recoveryCleanupOps({ competitionId: 'c', archiveRecordings: true, stopVM: false }),
    ).toEqual(['archive_recordings', 'reset_obs_config', 'clear_recordings']);
    expect(recoveryCleanupOps(null)).toEqual(['reset_obs_config']);
  });
});

describe('recoveryOutlook', () => {
  it('says what a failed VM waits for and when it needs an admin', () => {
    const silent = failed({ vmId: 'vm-001', agent: null });
    expect(recoveryOutlook(silent, cfg, NOW)).toEqual({
      phrase: 'the agent stopped reporting',
      automatic: true,
      next: 'waiting for the agent to report again',
      needsAdmin: false,
      attempts: 0,
      maxAttempts: 3,
      nextAttemptAt: null,
    });
    expect(
      recoveryOutlook(failed({ vmId: 'vm-001', errorCause: 'instance_missing' }), cfg, NOW),
    ).toMatchObject({
      automatic: false,
      needsAdmin: true,
    });
    expect(recoveryOutlook(vm({ vmId: 'vm-001' }), cfg, NOW)).toBeNull();
  });
});

describe('when a recovery is next tried (recovery.nextAttemptAt)', () => {
  const MINUTE = 60_000;

  it('is one check ahead while the recovery waits, and none while running, given up or manual', () => {
    const silent = failed({ vmId: 'vm-001', agent: null });
    const wait = decideRecovery(silent, cfg, NOW);
    expect(nextRecoveryAttemptAt(wait, NOW, MINUTE)).toBe(NOW + MINUTE);
    const running = failed({
      vmId: 'vm-001',
      recovery: { ...none, running: { id: 'recover-a', startedAt: NOW } },
    });
    expect(nextRecoveryAttemptAt(decideRecovery(running, cfg, NOW), NOW, MINUTE)).toBeNull();
    const gaveUp = failed({ vmId: 'vm-001', recovery: { ...none, gaveUpAt: NOW } });
    expect(nextRecoveryAttemptAt(decideRecovery(gaveUp, cfg, NOW), NOW, MINUTE)).toBeNull();
    const missing = failed({ vmId: 'vm-001', errorCause: 'instance_missing' });
    expect(nextRecoveryAttemptAt(decideRecovery(missing, cfg, NOW), NOW, MINUTE)).toBeNull();
    expect(
      nextRecoveryAttemptAt(decideRecovery(vm({ vmId: 'vm-001' }), cfg, NOW), NOW, MINUTE),
    ).toBeNull();
  });

  it('is written only when it changes, and cleared by an attempt, giving up and leaving error', () => {
    expect(scheduleRecovery({ ...none, nextAttemptAt: NOW }, NOW)).toBeNull();
    expect(scheduleRecovery(none, NOW + MINUTE)).toEqual({ ...none, nextAttemptAt: NOW + MINUTE });
    const scheduled = { ...none, nextAttemptAt: NOW + MINUTE };
    expect(startRecoveryAttempt(scheduled, cfg, NOW).nextAttemptAt).toBeNull();
    expect(giveUpRecovery(scheduled, NOW).nextAttemptAt).toBeNull();
    const waiting = failed({ vmId: 'vm-001', recovery: scheduled });
    const out = applyStatusChange(waiting, { event: 'recover', reason: 'ok' }, NOW);
    expect(out.ok && out.vm.recovery.nextAttemptAt).toBeNull();
  });

  it('is shown by the outlook only while the recovery is automatic and pending', () => {
    const scheduled = { ...none, nextAttemptAt: NOW + MINUTE };
    const silent = failed({ vmId: 'vm-001', agent: null, recovery: scheduled });
    expect(recoveryOutlook(silent, cfg, NOW)?.nextAttemptAt).toBe(NOW + MINUTE);
    const gaveUp = failed({ vmId: 'vm-001', recovery: { ...scheduled, gaveUpAt: NOW } });
    expect(recoveryOutlook(gaveUp, cfg, NOW)?.nextAttemptAt).toBeNull();
  });
});

describe('idempotent ops', () => {
  it('declares the release cleanup ops idempotent and restarts and code updates not', () => {
    for (const op of ['archive_recordings', 'reset_obs_config', 'clear_recordings'] as const) {
      expect(isIdempotentOp(op)).toBe(true);
    }
    for (const op of [
      'restart_obs',
      'restart_show_server',
      'restart_nimble',
      'update_code',
    ] as const) {
      expect(isIdempotentOp(op)).toBe(false);
    }
    expect(COMMAND_OPS.every((op) => typeof COMMAND_CATALOGUE[op].idempotent === 'boolean')).toBe(
      true,
    );
  });
});
