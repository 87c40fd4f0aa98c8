// ami/config/sudoers-vmpool-agent, checked by sudo itself. Review finding 3: the file granted
// `journalctl -u <unit> -n * --no-pager` to the show server's user, and a sudoers `*` matches
// across words (`-n 5 --vacuum-time=1s -u ssh` fits), so that user ran root journalctl with any
// option. Now: visudo accepts the file; no line has a wildcard; and sudo, run as root in a
// private mount namespace where /etc/sudo.conf points at this file, grants the agent user every
// sudo'd argv step the command catalogue builds for the AMI and refuses the hostile ones, and
// grants the show server's user nothing. Needs root, unshare and sudo (.ci/run installs sudo).
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AMI_AGENT_USER,
  AMI_SHOW_USER,
  buildCommandArgv,
  COMMAND_OPS,
  LOG_UNITS,
  PRODUCTION_COMMAND_ENV,
  type CommandEnv,
  type CommandOp,
} from '@vmpool/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SUDOERS = fileURLToPath(new URL('../../ami/config/sudoers-vmpool-agent', import.meta.url));
const BIN = fileURLToPath(new URL('../../ami/bin/', import.meta.url));
const ENV: CommandEnv = {
  ...PRODUCTION_COMMAND_ENV,
  archive: { ...PRODUCTION_COMMAND_ENV.archive, bucket: 'gg-recordings' },
};

/** Every argument combination of the catalogue worth trying (all units, the line bounds). */
function argsOf(op: CommandOp): unknown[] {
  switch (op) {
    case 'view_logs':
      return LOG_UNITS.flatMap((unit) => [1, 50, 500].map((lines) => ({ unit, lines })));
    case 'archive_recordings':
      return [{ competitionId: 'utah-2026' }, { competitionId: 'c_1-x' }];
    case 'import_state':
      return [{ competitionId: 'utah-2026', sourceVmId: 'vm-001', digest: 'a'.repeat(64) }];
    default:
      return [undefined];
  }
}

/** Every argv step the catalogue builds for the AMI, over all ops and argument choices. */
function catalogueSteps(): string[][] {
  const steps: string[][] = [];
  for (const op of COMMAND_OPS) {
    for (const args of argsOf(op)) {
      const built = buildCommandArgv(op, args, ENV);
      if (!built.ok) throw new Error(`${op}: ${built.errors.join('; ')}`);
      steps.push(...built.value);
    }
  }
  return steps;
}

interface SudoCheck {
  /** The user asking (`sudo -l -U`). */
  user: string;
  runAs: string;
  argv: string[];
}

/** `/usr/bin/sudo -n [-u USER] PROGRAM ARGS…` → what sudo would be asked to run. */
function asSudoCheck(step: string[]): SudoCheck | null {
  if (step[0] !== '/usr/bin/sudo') return null;
  expect(step[1], `${step.join(' ')}: sudo never prompts`).toBe('-n');
  if (step[2] === '-u') return { user: AMI_AGENT_USER, runAs: step[3] ?? '', argv: step.slice(4) };
  return { user: AMI_AGENT_USER, runAs: 'root', argv: step.slice(2) };
}

const agentAsRoot = (...argv: string[]): SudoCheck => ({
  user: AMI_AGENT_USER,
  runAs: 'root',
  argv,
});
const agentAsShowUser = (...argv: string[]): SudoCheck => ({
  user: AMI_AGENT_USER,
  runAs: AMI_SHOW_USER,
  argv,
});
const LOGS = '/usr/local/lib/vmpool/vmpool-logs';
const ARCHIVE = '/usr/local/lib/vmpool/vmpool-archive';
const JOURNALCTL = '/usr/bin/journalctl';
const SYSTEMCTL = '/usr/bin/systemctl';

/** What the review tried, and its neighbours: each must be refused by sudo. */
const HOSTILE: [string, SudoCheck][] = [
  ['root journalctl at all', agentAsRoot(JOURNALCTL)],
  [
    'the old grant with a vacuum (the finding)',
    agentAsRoot(JOURNALCTL, '-u', 'show-server', '-n', '5', '--vacuum-time=1s', '--no-pager'),
  ],
  [
    'the old grant reading ssh',
    agentAsRoot(JOURNALCTL, '-u', 'show-server', '-n', '5', '-u', 'ssh', '--no-pager'),
  ],
  ['the kernel log', agentAsRoot(JOURNALCTL, '-k')],
  ['a root cursor file', agentAsRoot(JOURNALCTL, '--cursor-file=/etc/shadow', '-u', 'xvfb')],
  ['journalctl -u ssh', agentAsRoot(JOURNALCTL, '-u', 'ssh')],
  ['the log wrapper as the show server’s user', agentAsShowUser(LOGS, 'obs', '50')],
  ['another unit restarted', agentAsRoot(SYSTEMCTL, 'restart', 'ssh')],
  ['a listed verb with a second unit', agentAsRoot(SYSTEMCTL, 'restart', 'nimble', 'ssh')],
  ['stopping the show server', agentAsRoot(SYSTEMCTL, 'stop', 'show-server')],
  ['a unit file edit', agentAsRoot(SYSTEMCTL, 'edit', 'obs-headless')],
  [
    'status with an extra unit',
    agentAsRoot(
      SYSTEMCTL,
      'status',
      '--no-pager',
      'xvfb',
      'obs-headless',
      'show-server',
      'nimble',
      'ssh',
    ),
  ],
  ['status without --no-pager (a pager as root)', agentAsRoot(SYSTEMCTL, 'status', 'xvfb')],
  ['a shell as root', agentAsRoot('/bin/bash')],
  ['a shell as ubuntu', agentAsShowUser('/bin/bash')],
  [
    'git as root',
    agentAsRoot('/usr/bin/git', '-C', '/home/ubuntu/gymnastics-graphics', 'pull', '--ff-only'),
  ],
  [
    'git with a config that runs a program',
    agentAsShowUser(
      '/usr/bin/git',
      '-c',
      'core.pager=sh',
      '-C',
      '/home/ubuntu/gymnastics-graphics',
      'pull',
      '--ff-only',
    ),
  ],
  [
    'git in another repository',
    agentAsShowUser('/usr/bin/git', '-C', '/tmp/x', 'pull', '--ff-only'),
  ],
  [
    'npm with scripts from elsewhere',
    agentAsShowUser('/usr/bin/npm', 'install', '--prefix', '/tmp/evil'),
  ],
  [
    'cp of a secret into the show',
    agentAsShowUser(
      '/usr/bin/cp',
      '-R',
      '--',
      '/etc/vmpool/agent.json',
      '/home/ubuntu/.config/obs-studio/',
    ),
  ],
  [
    'find with -exec',
    agentAsShowUser(
      '/usr/bin/find',
      '/home/ubuntu/recordings',
      '-maxdepth',
      '1',
      '-exec',
      '/bin/sh',
      ';',
    ),
  ],
  [
    'find deleting more than recordings (a literal * is not a wildcard)',
    agentAsShowUser(
      '/usr/bin/find',
      '/home/ubuntu/recordings',
      '-maxdepth',
      '1',
      '-type',
      'f',
      '(',
      '-name',
      'x.mp4',
      '-o',
      '-name',
      '*',
      ')',
      '-print',
      '-delete',
    ),
  ],
  ['the archive wrapper as root', agentAsRoot(ARCHIVE, 'gg-recordings', 'c1')],
  ['aws as the show server’s user', agentAsShowUser('/usr/bin/aws', 's3', 'ls')],
  [
    'the agent as another user',
    { user: AMI_AGENT_USER, runAs: 'nobody', argv: [LOGS, 'obs', '5'] },
  ],
  [
    'the show server’s user reading logs',
    { user: AMI_SHOW_USER, runAs: 'root', argv: [LOGS, 'obs', '5'] },
  ],
  [
    'the show server’s user restarting OBS',
    { user: AMI_SHOW_USER, runAs: 'root', argv: [SYSTEMCTL, 'restart', 'obs-headless'] },
  ],
  [
    'the show server’s user vacuuming the journal through the old grant (the finding)',
    {
      user: AMI_SHOW_USER,
      runAs: 'root',
      argv: [JOURNALCTL, '-u', 'show-server', '-n', '5', '--vacuum-time=1s', '--no-pager'],
    },
  ],
  [
    'the show server’s user reading ssh through the old grant',
    {
      user: AMI_SHOW_USER,
      runAs: 'root',
      argv: [JOURNALCTL, '-u', 'show-server', '-n', '5', '-u', 'ssh', '-k', '--no-pager'],
    },
  ],
  [
    'the show server’s user with the old journalctl grant',
    {
      user: AMI_SHOW_USER,
      runAs: 'root',
      argv: [JOURNALCTL, '-u', 'show-server', '-n', '5', '--no-pager'],
    },
  ],
];

function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'vmpool-sudoers-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/**
 * Asks sudo, as root inside a private mount namespace (nothing outside changes), whether each
 * check is allowed by the repository's sudoers file. Wrappers are mounted at their AMI path,
 * and the two users exist there, because sudo resolves both.
 */
function askSudo(checks: readonly SudoCheck[]): ('allow' | 'deny')[] {
  const sudoers = join(work, 'sudoers');
  copyFileSync(SUDOERS, sudoers);
  chmodSync(sudoers, 0o440);
  writeFileSync(
    join(work, 'sudo.conf'),
    `Plugin sudoers_policy sudoers.so sudoers_file=${sudoers} sudoers_mode=0440 sudoers_uid=0 sudoers_gid=0\n`,
  );
  const passwd = readFileSync('/etc/passwd', 'utf8');
  const group = readFileSync('/etc/group', 'utf8');
  const users = [
    [AMI_AGENT_USER, 64990],
    [AMI_SHOW_USER, 64991],
  ] as const;
  const extraPasswd = users
    .filter(([name]) => !new RegExp(`^${name}:`, 'm').test(passwd))
    .map(([name, id]) => `${name}:x:${id}:${id}::/nonexistent:/usr/sbin/nologin\n`)
    .join('');
  const extraGroup = users
    .filter(([name]) => !new RegExp(`^${name}:`, 'm').test(group))
    .map(([name, id]) => `${name}:x:${id}:\n`)
    .join('');
  writeFileSync(join(work, 'passwd'), passwd.replace(/\n?$/, '\n') + extraPasswd);
  writeFileSync(join(work, 'group'), group.replace(/\n?$/, '\n') + extraGroup);
  const lib = join(work, 'usr-local-lib');
  mkdirSync(join(lib, 'vmpool'), { recursive: true });
  for (const name of ['vmpool-logs', 'vmpool-archive']) {
    copyFileSync(join(BIN, name), join(lib, 'vmpool', name));
    chmodSync(join(lib, 'vmpool', name), 0o755);
  }
  const lines = [
    'set -u',
    `mount --bind ${quote(join(work, 'sudo.conf'))} /etc/sudo.conf`,
    `mount --bind ${quote(join(work, 'passwd'))} /etc/passwd`,
    `mount --bind ${quote(join(work, 'group'))} /etc/group`,
    `mount --bind ${quote(lib)} /usr/local/lib`,
    ...checks.map(
      (check, index) =>
        `if sudo -n -l -U ${quote(check.user)} -u ${quote(check.runAs)} ${check.argv.map(quote).join(' ')} >/dev/null 2>&1; ` +
        `then echo '${index} allow'; else echo '${index} deny'; fi`,
    ),
  ];
  const script = join(work, 'probe.sh');
  writeFileSync(script, `${lines.join('\n')}\n`);
  const result = spawnSync('unshare', ['--mount', '--propagation', 'private', 'bash', script], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`the sudo probe failed: ${result.stderr}`);
  const verdicts = new Map(
    result.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' ') as [string, 'allow' | 'deny']),
  );
  return checks.map((_check, index) => {
    const verdict = verdicts.get(String(index));
    if (verdict === undefined) throw new Error(`no verdict for check ${index}: ${result.stderr}`);
    return verdict;
  });
}

describe('ami/config/sudoers-vmpool-agent', () => {
  it('is accepted by visudo', () => {
    const result = spawnSync('visudo', ['-c', '-f', SUDOERS], { encoding: 'utf8' });
    expect(result.error, 'visudo is missing: apt-get install sudo (.ci/run does)').toBeUndefined();
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it('has no wildcard: every * is an escaped literal, only the two wrappers take open arguments', () => {
    const text = readFileSync(SUDOERS, 'utf8')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .join('\n')
      .replaceAll('\\\n', ' ');
    expect(text.replaceAll('\\*', '')).not.toMatch(/[*?[\]]/);
    const commands = [...text.matchAll(/Cmnd_Alias \w+ = ([^\n]+)/g)].flatMap((match) =>
      (match[1] ?? '').split(/,(?![^(]*\))/).map((command) => command.trim()),
    );
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) expect(command, command).toMatch(/^\/usr\/(bin|local\/lib)\//);
    expect(commands.filter((command) => !command.includes(' ')).sort()).toEqual([ARCHIVE, LOGS]);
    expect(text).not.toMatch(/NOPASSWD:\s*ALL|SETENV|\bALL\s*$/m);
    expect(text).not.toMatch(/^\s*(ubuntu|%)/m);
  });

  it('lets sudo grant every sudo step of the catalogue and refuse every hostile one', () => {
    expect(process.getuid?.(), 'this check runs sudo as root in a private mount namespace').toBe(0);
    for (const program of [
      '/usr/bin/systemctl',
      '/usr/bin/git',
      '/usr/bin/npm',
      '/usr/bin/find',
      '/usr/bin/cp',
      '/usr/bin/sudo',
    ]) {
      expect(existsSync(program), `sudo resolves ${program}; this machine lacks it`).toBe(true);
    }
    const steps = catalogueSteps();
    const sudoSteps = steps.map(asSudoCheck);
    // What runs without sudo, as the agent itself, reads the system only.
    const plain = steps.filter((_step, index) => sudoSteps[index] === null).map((step) => step[0]);
    expect([...new Set(plain)].sort()).toEqual(['df', 'free', 'uptime']);
    const granted = sudoSteps.filter((check): check is SudoCheck => check !== null);
    // view_logs is exactly the wrapper call.
    expect(granted.filter((check) => check.argv[0] === LOGS).length).toBe(LOG_UNITS.length * 3);

    const verdicts = askSudo([...granted, ...HOSTILE.map(([, check]) => check)]);
    const allowedHostile = HOSTILE.filter(
      (_entry, index) => verdicts[granted.length + index] !== 'deny',
    ).map(([label]) => label);
    expect(allowedHostile, 'hostile commands sudo would run').toEqual([]);
    const refusedGrants = granted.filter((_check, index) => verdicts[index] !== 'allow');
    expect(refusedGrants, 'catalogue steps sudo would refuse').toEqual([]);
  }, 60_000);
});
