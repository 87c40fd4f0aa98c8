import { describe, expect, it } from 'vitest';
import { agent, config, NOW } from '../../../tests/fixtures';
import { describeAgentSilence, formatAge, formatUtc } from './agent-silence';

// NOW is 2027-01-15T08:00:00Z.
const cfg = config({ agentStaleSeconds: 60 });

describe('describeAgentSilence', () => {
  it('says when a disconnected agent went offline, even right after it happened', () => {
    expect(
      describeAgentSilence('vm-002', agent({ online: false, lastSeen: NOW - 12_000 }), cfg, NOW),
    ).toBe('The agent on vm-002 disconnected at 07:59:48 UTC (12 s ago).');
    expect(describeAgentSilence('vm-002', agent({ online: false, lastSeen: NOW }), cfg, NOW)).toBe(
      'The agent on vm-002 disconnected at 08:00:00 UTC (just now).',
    );
  });

  it('says how long a silent agent that still counts as online has sent no heartbeat', () => {
    expect(describeAgentSilence('vm-001', agent({ lastSeen: NOW - 75_000 }), cfg, NOW)).toBe(
      'The agent on vm-001 has sent no heartbeat since 07:58:45 UTC (75 s ago); it counts as unreachable after 60 s.',
    );
  });

  it('says an agent that never reported never did', () => {
    expect(describeAgentSilence('vm-003', null, cfg, NOW)).toBe(
      'The agent on vm-003 has never reported since the VM started.',
    );
  });
});

describe('formatAge and formatUtc', () => {
  it('reads naturally from seconds to days, never negative', () => {
    expect(formatAge(-5_000)).toBe('just now');
    expect(formatAge(999)).toBe('just now');
    expect(formatAge(1_000)).toBe('1 s ago');
    expect(formatAge(89_999)).toBe('89 s ago');
    expect(formatAge(90_000)).toBe('1 min ago');
    expect(formatAge(89 * 60_000)).toBe('89 min ago');
    expect(formatAge(3 * 3_600_000)).toBe('3 h ago');
    expect(formatAge(3 * 3_600_000 + 5 * 60_000)).toBe('3 h 5 min ago');
    expect(formatAge(52 * 3_600_000)).toBe('2 d 4 h ago');
    expect(formatAge(72 * 3_600_000)).toBe('3 d ago');
  });

  it('adds the date once the moment is a day or more back', () => {
    expect(formatUtc(NOW - 1_000, NOW)).toBe('07:59:59 UTC');
    expect(formatUtc(NOW - 86_400_000, NOW)).toBe('2027-01-14 08:00:00 UTC');
  });
});
