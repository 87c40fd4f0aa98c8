import { describe, expect, it } from 'vitest';
import { NO_RECOVERY } from '../../contract/vm-record';
import { forgiveInterruptedAttempt } from '../recovery';
import { agentSilenceIsShared } from './shared-outage';

const NOW = 1_800_000_000_000;
const config = { agentStaleSeconds: 60 };
const reporting = { online: true, lastSeen: NOW - 5_000 } as const;
const quiet = { online: true, lastSeen: NOW - 40_000 } as const;
const offline = { online: false, lastSeen: NOW - 1_000 } as const;

function vm(agent: unknown, status = 'available', errorCause: string | null = null) {
  return { status, errorCause, ec2State: 'running', agent } as Parameters<
    typeof agentSilenceIsShared
  >[0][number];
}

describe('agentSilenceIsShared', () => {
  it('is shared when at least two and at least half of the agents that should report are silent', () => {
    expect(agentSilenceIsShared([vm(quiet), vm(offline), vm(reporting)], config, NOW)).toBe(true);
    expect(
      agentSilenceIsShared([vm(quiet), vm(quiet), vm(reporting), vm(reporting)], config, NOW),
    ).toBe(true);
  });

  it('is not shared for one silent agent, or a minority', () => {
    expect(agentSilenceIsShared([vm(quiet)], config, NOW)).toBe(false);
    expect(agentSilenceIsShared([vm(quiet), vm(reporting), vm(reporting)], config, NOW)).toBe(
      false,
    );
    expect(
      agentSilenceIsShared(
        [vm(quiet), vm(quiet), vm(reporting), vm(reporting), vm(reporting)],
        config,
        NOW,
      ),
    ).toBe(false);
  });

  it('counts VMs already failed for a silent agent, and ignores stopped VMs and agents that never reported', () => {
    const failed = vm(quiet, 'error', 'agent_stale');
    expect(agentSilenceIsShared([failed, vm(quiet), vm(reporting)], config, NOW)).toBe(true);
    expect(
      agentSilenceIsShared([vm(quiet, 'stopped'), vm(quiet), vm(reporting)], config, NOW),
    ).toBe(false);
    expect(
      agentSilenceIsShared([vm(null, 'starting'), vm(null, 'starting'), vm(quiet)], config, NOW),
    ).toBe(false);
  });

  it('an agent reporting within half the stale limit is not silent', () => {
    const justInside = { online: true, lastSeen: NOW - 29_999 };
    expect(agentSilenceIsShared([vm(justInside), vm(justInside)], config, NOW)).toBe(false);
    const atHalf = { online: true, lastSeen: NOW - 30_000 };
    expect(agentSilenceIsShared([vm(atHalf), vm(atHalf)], config, NOW)).toBe(true);
  });
});

describe('forgiveInterruptedAttempt', () => {
  it('drops only the latest attempt: earlier ones (a VM flapping before the outage) still count', () => {
    const recovery = { ...NO_RECOVERY, attempts: [NOW - 9_000, NOW - 3_000] };
    expect(forgiveInterruptedAttempt(recovery).attempts).toEqual([NOW - 9_000]);
    expect(forgiveInterruptedAttempt(NO_RECOVERY)).toBe(NO_RECOVERY);
  });
});
