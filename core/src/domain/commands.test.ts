import { describe, expect, it } from 'vitest';
import { COMMAND_OPS } from '../contract/command';
import {
  buildCommandArgv,
  COMMAND_CATALOGUE,
  commandSpec,
  isCommandExpired,
  isCommandOp,
  mayQueueCommand,
  PRODUCTION_COMMAND_ENV,
  type CommandEnv,
} from './commands';

const env: CommandEnv = {
  ...PRODUCTION_COMMAND_ENV,
  archive: { ...PRODUCTION_COMMAND_ENV.archive, bucket: 'gg-recordings' },
};
const SUDO = ['/usr/bin/sudo', '-n'];
const AS_UBUNTU = [...SUDO, '-u', 'ubuntu'];

describe('COMMAND_CATALOGUE', () => {
  it('has a spec for every op, keyed by its own op, with sane limits', () => {
    expect(Object.keys(COMMAND_CATALOGUE).sort()).toEqual([...COMMAND_OPS].sort());
    for (const op of COMMAND_OPS) {
      const spec = COMMAND_CATALOGUE[op];
      expect(spec.op).toBe(op);
      expect(spec.title).not.toBe('');
      expect(spec.timeoutMs).toBeGreaterThan(0);
      expect(spec.ttlMs).toBeGreaterThan(0);
      expect(spec.roles).toContain('admin');
    }
  });

  it('lets the control plane queue release cleanup but not code updates', () => {
    expect(mayQueueCommand('archive_recordings', 'control_plane')).toBe(true);
    expect(mayQueueCommand('clear_recordings', 'control_plane')).toBe(true);
    expect(mayQueueCommand('reset_obs_config', 'control_plane')).toBe(true);
    expect(mayQueueCommand('update_code', 'control_plane')).toBe(false);
    expect(mayQueueCommand('update_code', 'admin')).toBe(true);
  });

  it('marks the commands that interrupt a live show', () => {
    expect(commandSpec('restart_obs').disruptsShow).toBe(true);
    expect(commandSpec('start_obs').disruptsShow).toBe(false);
    expect(commandSpec('view_logs').disruptsShow).toBe(false);
  });
});

describe('buildCommandArgv on the production AMI', () => {
  it('builds the service commands from the unit names', () => {
    expect(buildCommandArgv('start_obs', undefined, env)).toEqual({
      ok: true,
      value: [[...SUDO, '/usr/bin/systemctl', 'start', 'obs-headless']],
    });
    expect(buildCommandArgv('stop_obs', {}, env)).toMatchObject({
      value: [[...SUDO, '/usr/bin/systemctl', 'stop', 'obs-headless']],
    });
    expect(buildCommandArgv('restart_show_server', null, env)).toMatchObject({
      value: [[...SUDO, '/usr/bin/systemctl', 'restart', 'show-server']],
    });
    expect(buildCommandArgv('restart_nimble', null, env)).toMatchObject({
      value: [[...SUDO, '/usr/bin/systemctl', 'restart', 'nimble']],
    });
    expect(buildCommandArgv('check_services', null, env)).toMatchObject({
      value: [
        [
          ...SUDO,
          '/usr/bin/systemctl',
          'status',
          '--no-pager',
          'xvfb',
          'obs-headless',
          'show-server',
          'nimble',
        ],
      ],
    });
  });

  it('builds multi-step commands in order', () => {
    expect(buildCommandArgv('update_code', null, env)).toEqual({
      ok: true,
      value: [
        [
          ...AS_UBUNTU,
          '/usr/bin/git',
          '-C',
          '/home/ubuntu/gymnastics-graphics',
          'pull',
          '--ff-only',
        ],
        [
          ...AS_UBUNTU,
          '/usr/bin/npm',
          'install',
          '--omit=dev',
          '--no-audit',
          '--no-fund',
          '--prefix',
          '/home/ubuntu/gymnastics-graphics/server',
        ],
        [...SUDO, '/usr/bin/systemctl', 'restart', 'show-server'],
      ],
    });
    expect(buildCommandArgv('reset_obs_config', null, env)).toEqual({
      ok: true,
      value: [
        [...SUDO, '/usr/bin/systemctl', 'stop', 'obs-headless'],
        [
          ...AS_UBUNTU,
          '/usr/bin/cp',
          '-R',
          '--',
          '/home/ubuntu/obs-config-template/.',
          '/home/ubuntu/.config/obs-studio/',
        ],
        [...SUDO, '/usr/bin/systemctl', 'start', 'obs-headless'],
      ],
    });
    expect(buildCommandArgv('system_info', null, env)).toMatchObject({
      value: [['free', '-h'], ['df', '-h', '/'], ['uptime']],
    });
    expect(buildCommandArgv('clear_recordings', null, env)).toMatchObject({
      value: [
        [
          ...AS_UBUNTU,
          '/usr/bin/find',
          '/home/ubuntu/recordings',
          '-maxdepth',
          '1',
          '-type',
          'f',
          '(',
          '-name',
          '*.mp4',
          '-o',
          '-name',
          '*.mkv',
          ')',
          '-print',
          '-delete',
        ],
      ],
    });
  });

  it('reads logs only through the root-owned vmpool-logs wrapper, with a logical unit and a bounded count', () => {
    // Exactly the wrapper call: sudo never sees a journalctl option (review finding 3).
    expect(buildCommandArgv('view_logs', { unit: 'obs', lines: 200 }, env)).toEqual({
      ok: true,
      value: [['/usr/bin/sudo', '-n', '/usr/local/lib/vmpool/vmpool-logs', 'obs', '200']],
    });
    expect(buildCommandArgv('view_logs', undefined, env)).toEqual({
      ok: true,
      value: [['/usr/bin/sudo', '-n', '/usr/local/lib/vmpool/vmpool-logs', 'showServer', '50']],
    });
    expect(buildCommandArgv('view_logs', { lines: 501 }, env)).toEqual({
      ok: false,
      errors: ['args.lines: must be <= 500'],
    });
    expect(buildCommandArgv('view_logs', { lines: 2.5 }, env)).toEqual({
      ok: false,
      errors: ['args.lines: must be an integer'],
    });
  });

  it('archives through the vmpool-archive wrapper as ubuntu, and refuses without a bucket', () => {
    expect(buildCommandArgv('archive_recordings', { competitionId: 'utah-2026' }, env)).toEqual({
      ok: true,
      value: [[...AS_UBUNTU, '/usr/local/lib/vmpool/vmpool-archive', 'gg-recordings', 'utah-2026']],
    });
    expect(
      buildCommandArgv('archive_recordings', { competitionId: 'c1' }, PRODUCTION_COMMAND_ENV),
    ).toEqual({
      ok: false,
      errors: ['archive_recordings: no valid S3 bucket is configured on this VM'],
    });
    expect(buildCommandArgv('archive_recordings', {}, env)).toEqual({
      ok: false,
      errors: ['args.competitionId: is required'],
    });
  });

  it('refuses unknown ops', () => {
    expect(isCommandOp('reboot_host')).toBe(false);
    expect(buildCommandArgv('reboot_host', {}, env)).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/^op: must be one of start_obs/)],
    });
  });
});

describe('injection safety', () => {
  const hostile = [
    '; rm -rf /',
    '$(reboot)',
    '`id`',
    'a\nb',
    'x && y',
    '../../etc',
    'obs; id',
    ' ',
    '',
  ];

  it.each(hostile)('rejects %j wherever an argument reaches argv', (payload) => {
    expect(buildCommandArgv('archive_recordings', { competitionId: payload }, env).ok).toBe(false);
    expect(buildCommandArgv('view_logs', { unit: payload }, env).ok).toBe(false);
    expect(buildCommandArgv('view_logs', { unit: 'obs', lines: payload }, env).ok).toBe(false);
    expect(buildCommandArgv('restart_obs', { unit: payload }, env).ok).toBe(false);
  });

  it('rejects extra argument fields instead of passing them on', () => {
    expect(buildCommandArgv('view_logs', { unit: 'obs', extra: '--since=-1y' }, env)).toEqual({
      ok: false,
      errors: ['args: unknown field extra'],
    });
  });

  it('keeps odd machine paths as single inert argv elements', () => {
    const odd: CommandEnv = {
      ...env,
      dirs: {
        ...env.dirs,
        recordings: '/srv/my recordings; rm -rf ~',
        obsTemplate: '/t/$(x)',
        obsConfig: '/c',
      },
    };
    const steps = buildCommandArgv('clear_recordings', null, odd);
    expect(steps).toMatchObject({ ok: true });
    if (!steps.ok) return;
    expect(steps.value[0]?.[env.find.length]).toBe('/srv/my recordings; rm -rf ~');
    const reset = buildCommandArgv('reset_obs_config', null, odd);
    expect(reset.ok && reset.value[1]).toEqual([...env.cp, '-R', '--', '/t/$(x)/.', '/c/']);
  });

  it('refuses a NUL byte that a broken env would put into argv', () => {
    const broken: CommandEnv = { ...env, units: { ...env.units, obs: 'obs\u0000x' } };
    expect(buildCommandArgv('start_obs', null, broken)).toEqual({
      ok: false,
      errors: ['argv: an element contains a NUL character'],
    });
  });
});

describe('isCommandExpired', () => {
  it('expires only queued commands older than their ttl', () => {
    const ttl = COMMAND_CATALOGUE.view_logs.ttlMs;
    const queued = { op: 'view_logs', requestedAt: 1_000, status: 'queued' } as const;
    expect(isCommandExpired(queued, 1_000 + ttl)).toBe(false);
    expect(isCommandExpired(queued, 1_001 + ttl)).toBe(true);
    expect(isCommandExpired({ ...queued, status: 'running' }, 1_001 + ttl)).toBe(false);
  });
});
