import { describe, expect, it } from 'vitest';
import { isFinalCommandStatus, parseCommandArgs, parseVmCommand } from './command';

const admin = { requestedBy: 'uid-1', requestedAt: 10 };

describe('parseCommandArgs', () => {
  it('fills view_logs defaults and enforces the line bounds and unit allowlist', () => {
    expect(parseCommandArgs('view_logs', undefined)).toEqual({
      ok: true,
      value: { unit: 'showServer', lines: 50 },
    });
    expect(parseCommandArgs('view_logs', { unit: 'nimble', lines: 500 })).toEqual({
      ok: true,
      value: { unit: 'nimble', lines: 500 },
    });
    expect(parseCommandArgs('view_logs', { unit: 'sshd', lines: 0 })).toEqual({
      ok: false,
      errors: [
        'args.unit: must be one of "showServer", "obs", "nimble", "xvfb", "agent"',
        'args.lines: must be >= 1',
      ],
    });
  });

  it('refuses arguments for ops that take none', () => {
    expect(parseCommandArgs('start_obs', { force: true })).toEqual({
      ok: false,
      errors: ['args: unknown field force'],
    });
    expect(parseCommandArgs('start_obs', 'x')).toEqual({
      ok: false,
      errors: ['args: must be an object'],
    });
  });
});

describe('parseVmCommand', () => {
  it('reads a freshly queued command as queued with no run fields', () => {
    expect(parseVmCommand({ ...admin, op: 'restart_obs' })).toEqual({
      ok: true,
      value: {
        ...admin,
        op: 'restart_obs',
        args: {},
        claim: null,
        status: 'queued',
        startedAt: null,
        finishedAt: null,
        durationMs: null,
        exitCode: null,
        output: null,
        reason: null,
      },
    });
  });

  it('reads the agent run fields', () => {
    const parsed = parseVmCommand({
      ...admin,
      op: 'archive_recordings',
      args: { competitionId: 'c1' },
      claim: { bootId: 'b1', at: 11 },
      status: 'succeeded',
      startedAt: 11,
      finishedAt: 20,
      durationMs: 9,
      exitCode: 0,
      output: { stdout: 'done', truncated: false },
    });
    expect(parsed).toMatchObject({
      ok: true,
      value: { status: 'succeeded', output: { stdout: 'done', stderr: '', truncated: false } },
    });
  });

  it('reports every problem together', () => {
    expect(
      parseVmCommand({
        op: 'view_logs',
        args: { lines: 501 },
        requestedAt: 1,
        status: 'done',
        output: { stdout: 'x'.repeat(24001) },
        shell: 'rm -rf /',
      }),
    ).toEqual({
      ok: false,
      errors: [
        'requestedBy: is required',
        'status: must be one of "queued", "running", "succeeded", "failed", "timed_out", "rejected", "expired"',
        'output.stdout: must be at most 24000 characters',
        '(root): unknown field shell',
      ],
    });
    expect(parseVmCommand({ ...admin, op: 'format_disk' })).toEqual({
      ok: false,
      errors: [
        'op: must be one of "start_obs", "stop_obs", "restart_obs", "restart_show_server", "restart_nimble", "update_code", "check_services", "view_logs", "system_info", "clear_recordings", "reset_obs_config", "archive_recordings", "import_state"',
      ],
    });
    expect(parseVmCommand({ ...admin, op: 'view_logs', args: { lines: 0 } })).toEqual({
      ok: false,
      errors: ['args.lines: must be >= 1'],
    });
    expect(parseVmCommand('x')).toEqual({ ok: false, errors: ['(root): must be an object'] });
  });

  it('knows which statuses are final', () => {
    expect(isFinalCommandStatus('queued')).toBe(false);
    expect(isFinalCommandStatus('running')).toBe(false);
    expect(isFinalCommandStatus('expired')).toBe(true);
  });
});
