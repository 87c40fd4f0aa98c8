import { describe, expect, it } from 'vitest';
import { agent, config, NOW, vm } from '../../tests/fixtures';
import { VM_ERROR_CAUSES, type VmRecovery } from '../contract/vm-record';
import { COMMAND_OPS } from '../contract/command';
import { COMMAND_CATALOGUE } from './commands';
import {
  attemptsInWindow,
  decideRecovery,
  dependsOnSharedOutage,
  isIdempotentOp,
  rearmRecovery,
  RECOVERY_POLICIES,
  recoveryAfterStatusChange,
  recoveryCleanupOps,
  RECOVERY_LASTED_MS,
  giveUpRecovery,
  nextRecoveryAttemptAt,
  recoveryOutlook,
  scheduleRecovery,
  SHARED_OUTAGE_WAIT,
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

  it('reboots a start that timed out because its agent never came up, within the budget and not in a shared outage', () => {
    const neverUp = failed({ vmId: 'vm-001', errorCause: 'start_timeout', agent: null });
    const reboot = decideRecovery(neverUp, cfg, NOW);
    expect(reboot).toMatchObject({ kind: 'act', action: 'reboot' });
    expect(dependsOnSharedOutage(reboot)).toBe(true);
    expect(recoveryOutlook(neverUp, cfg, NOW)?.next).toBe('reboots at the next reconcile');
    // An agent left over from an earlier boot, offline or stale, is as silent.
    for (const old of [agent({ online: false }), agent({ lastSeen: NOW - 600_000 })]) {
      expect(decideRecovery({ ...neverUp, agent: old }, cfg, NOW)).toMatchObject({
        kind: 'act',
        action: 'reboot',
      });
    }
    // Its agent came up after all: back into the pool, no reboot.
    const up = decideRecovery({ ...neverUp, agent: agent() }, cfg, NOW);
    expect(up).toMatchObject({ kind: 'act', action: 'recover' });
    expect(dependsOnSharedOutage(up)).toBe(false);
    // An agent that reports but is not ready yet is waited for, not rebooted.
    const unhealthy = agent({ show: { ...agent().show!, reachable: false } });
    expect(decideRecovery({ ...neverUp, agent: unhealthy }, cfg, NOW)).toMatchObject({
      kind: 'wait',
      waitingFor: 'the agent to report ready',
    });
    // Nothing running to reboot: EC2 pending, or stopped (the EC2 sync takes that in).
    expect(decideRecovery({ ...neverUp, ec2State: 'pending' }, cfg, NOW).kind).toBe('wait');
    expect(decideRecovery({ ...neverUp, ec2State: 'stopped' }, cfg, NOW).kind).toBe('wait');
    // Most agents silent together: the outage is not the VM's, a reboot would not help.
    expect(decideRecovery(neverUp, cfg, NOW, { sharedOutage: true })).toMatchObject({
      kind: 'wait',
      waitingFor: SHARED_OUTAGE_WAIT,
    });
    // The budget: reboots that did not bring it up run out like any recovery.
    const attempts = [NOW - 20 * 60_000, NOW - 10 * 60_000, NOW - 60_000];
    expect(decideRecovery({ ...neverUp, recovery: { ...none, attempts } }, cfg, NOW)).toMatchObject(
      { kind: 'gave_up', firstGiveUp: true, attempts: 3 },
    );
    // A silent agent of any other cause is still waited for.
    expect(decideRecovery({ ...neverUp, errorCause: 'agent_stale' }, cfg, NOW).kind).toBe('wait');
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

  it('counts only recoveries that did not last: a VM failing again without having served keeps them, one whose agent served a while starts afresh', () => {
    const stale = { event: 'fail', reason: 'x', cause: 'agent_stale' } as const;
    const recovered = (lastSeen: number) =>
      vm({
        vmId: 'vm-001',
        agent: agent({ lastSeen }),
        recovery: { ...none, attempts: [NOW - 40 * 60_000, NOW - 5 * 60_000] },
      });
    // Flapping: the agent went silent a minute after the recovery began.
    const soon = applyStatusChange(recovered(NOW - 4 * 60_000), stale, NOW);
    expect(soon.ok && soon.vm.recovery.attempts).toEqual([NOW - 40 * 60_000, NOW - 5 * 60_000]);
    // The recovery worked: the agent reported RECOVERY_LASTED_MS after it, then a new fault.
    const later = applyStatusChange(recovered(NOW - 5 * 60_000 + RECOVERY_LASTED_MS), stale, NOW);
    expect(later.ok && later.vm.recovery.attempts).toEqual([]);
    // A VM without an agent report has not shown it served.
    const silent = applyStatusChange({ ...recovered(NOW), agent: null }, stale, NOW);
    expect(silent.ok && silent.vm.recovery.attempts).toHaveLength(2);
    // A change while already in error (no recovery in between) forgets nothing.
    const inError = { ...none, attempts: [NOW - 10 * 60_000] };
    expect(
      recoveryAfterStatusChange(inError, { fromError: true, toError: true, agentLastSeen: NOW })
        .attempts,
    ).toEqual([NOW - 10 * 60_000]);
  });

  it('never gives up on a VM whose recoveries each lasted, however many faults it meets', () => {
    let current = vm({ vmId: 'vm-001' });
    let now = NOW;
    for (let fault = 0; fault < 10; fault += 1) {
      const down = applyStatusChange(
        current,
        { event: 'fail', reason: 'x', cause: 'agent_stale' },
        now,
      );
      if (!down.ok) throw new Error('fail refused');
      const ready = { ...down.vm, agent: agent({ lastSeen: now - 1000 }) };
      expect(decideRecovery(ready, cfg, now).kind).toBe('act');
      const attempt = { ...ready, recovery: startRecoveryAttempt(ready.recovery, cfg, now) };
      const up = applyStatusChange(attempt, { event: 'recover', reason: 'ok' }, now);
      if (!up.ok) throw new Error('recover refused');
      // It serves: its agent reports until the next fault.
      now += RECOVERY_LASTED_MS;
      current = { ...up.vm, agent: agent({ lastSeen: now }) };
    }
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
