import { describe, expect, it } from 'vitest';
import { PRODUCTION_COMMAND_ENV } from '@vmpool/core';
import { createPlanner } from './catalogue';

const now = 1_800_000_000_000;
const plan = createPlanner({
  ...PRODUCTION_COMMAND_ENV,
  archive: { ...PRODUCTION_COMMAND_ENV.archive, bucket: 'show-archive' },
});
const command = (fields: Record<string, unknown>) => ({
  requestedBy: 'admin-uid',
  requestedAt: now - 1000,
  ...fields,
});

describe('createPlanner', () => {
  it('builds argv from the catalogue template', () => {
    expect(plan(command({ op: 'restart_obs' }), now)).toEqual({
      kind: 'run',
      plan: {
        op: 'restart_obs',
        steps: [['/usr/bin/sudo', '-n', '/usr/bin/systemctl', 'restart', 'obs-headless']],
        timeoutMs: 30_000,
      },
    });
    const logs = plan(command({ op: 'view_logs', args: { unit: 'nimble', lines: 20 } }), now);
    expect(logs.kind === 'run' && logs.plan.steps).toEqual([
      ['/usr/bin/sudo', '-n', '/usr/local/lib/vmpool/vmpool-logs', 'nimble', '20'],
    ]);
  });

  it('rejects unknown ops', () => {
    expect(plan(command({ op: 'rm_rf' }), now)).toEqual({
      kind: 'rejected',
      reason: 'unknown op "rm_rf": not in the command catalogue',
    });
    expect(plan(null, now).kind).toBe('rejected');
  });

  it('rejects injection attempts in arguments instead of running them', () => {
    const injected = plan(
      command({ op: 'view_logs', args: { unit: 'obs; rm -rf /', lines: 10 } }),
      now,
    );
    expect(injected.kind).toBe('rejected');
    if (injected.kind === 'rejected')
      expect(injected.reason).toMatch(/^invalid command: args\.unit/);
    const archive = plan(
      command({ op: 'archive_recordings', args: { competitionId: '$(reboot)' } }),
      now,
    );
    expect(archive.kind).toBe('rejected');
    const extra = plan(command({ op: 'restart_obs', args: { shell: 'bash' } }), now);
    expect(extra.kind).toBe('rejected');
  });

  it('expires commands older than their TTL', () => {
    const stale = plan(command({ op: 'restart_obs', requestedAt: now - 6 * 60_000 }), now);
    expect(stale).toEqual({
      kind: 'expired',
      reason: 'queued 360 s ago; restart_obs expires after 300 s and was not run',
    });
  });

  it('refuses archiving without a bucket on this VM', () => {
    const noBucket = createPlanner(PRODUCTION_COMMAND_ENV);
    const result = noBucket(
      command({ op: 'archive_recordings', args: { competitionId: 'meet-1' } }),
      now,
    );
    expect(result).toEqual({
      kind: 'rejected',
      reason: 'invalid command: archive_recordings: no valid S3 bucket is configured on this VM',
    });
  });
});
