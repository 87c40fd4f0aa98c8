import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agent, config, NOW, vm } from '../../tests/fixtures';
import { VM_ERROR_CAUSES, type VmRecord } from '../contract/vm-record';
import {
  decideRecovery,
  giveUpRecovery,
  RECOVERY_LASTED_MS,
  startRecoveryAttempt,
} from './recovery';
import { applyStatusChange } from './vm-status';

/**
 * A VM that keeps failing (any cause, at random times) and is recovered whenever the policy
 * says so: it never recovers more than recoveryMaxAttempts times within any window, and once it
 * gave up it stays in error.
 */
describe('decideRecovery (property)', () => {
  it('bounds recoveries that did not last per window and never flaps after giving up', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 60 }),
        fc.array(
          fc.record({
            gapMs: fc.integer({ min: 1_000, max: 20 * 60_000 }),
            cause: fc.constantFrom(...VM_ERROR_CAUSES),
            agentFresh: fc.boolean(),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        (max, windowMinutes, steps) => {
          const cfg = config({ recoveryMaxAttempts: max, recoveryWindowMinutes: windowMinutes });
          let now = NOW;
          let rec: VmRecord = vm({ vmId: 'vm-001', ec2State: 'running' });
          // Recoveries that did not last (RECOVERY_LASTED_MS): the ones the bound is about.
          let recoveredAt: number[] = [];
          let gaveUp = false;
          for (const step of steps) {
            now += step.gapMs;
            const report = step.agentFresh ? agent({ lastSeen: now - 1000 }) : null;
            rec = { ...rec, agent: report };
            if (rec.status !== 'error') {
              const latest = recoveredAt.at(-1);
              if (
                latest !== undefined &&
                report !== null &&
                report.lastSeen - latest >= RECOVERY_LASTED_MS
              )
                recoveredAt = [];
              const failed = applyStatusChange(
                rec,
                { event: 'fail', reason: 'x', cause: step.cause },
                now,
              );
              if (failed.ok) rec = failed.vm;
              continue;
            }
            const decision = decideRecovery(rec, cfg, now);
            if (gaveUp)
              expect(decision.kind === 'gave_up' || decision.kind === 'manual').toBe(true);
            if (decision.kind === 'gave_up') {
              gaveUp = true;
              rec = { ...rec, recovery: giveUpRecovery(rec.recovery, now) };
            }
            if (decision.kind === 'act') {
              expect(decision.policy.automatic).toBe(true);
              const attempted = startRecoveryAttempt(rec.recovery, cfg, now);
              const out = applyStatusChange(rec, { event: 'recover', reason: 'r' }, now);
              expect(out.ok).toBe(true);
              if (out.ok)
                rec = { ...out.vm, recovery: { ...out.vm.recovery, attempts: attempted.attempts } };
              recoveredAt.push(now);
              const inWindow = recoveredAt.filter((at) => at > now - windowMinutes * 60_000);
              expect(inWindow.length).toBeLessThanOrEqual(max);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
