// The AMI's root-owned wrappers (ami/bin/) against hostile arguments. Review finding 3: sudoers
// granted `journalctl -u <unit> -n * --no-pager`, and a sudoers `*` matches across words, so the
// show server's user could run root journalctl with any option. The agent now reaches the
// journal only through vmpool-logs, whose sudo grant has no arguments: the script must refuse
// everything but `UNIT LINES`. The tests run the real scripts with a stand-in journalctl / aws
// that records its argv; the scripts honour that override only when not started through sudo.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOG_UNITS, PRODUCTION_COMMAND_ENV } from '@vmpool/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../ami/bin/', import.meta.url));
const LOGS = join(BIN, 'vmpool-logs');
const ARCHIVE = join(BIN, 'vmpool-archive');

let dir: string;
let argvFile: string;
let standIn: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vmpool-wrappers-'));
  argvFile = join(dir, 'argv');
  standIn = join(dir, 'stand-in');
  // Records its argv, one element per line (NUL-separated, so nothing can hide in a newline).
  writeFileSync(standIn, '#!/bin/sh\nprintf \'%s\\0\' "$@" > "$VMPOOL_TEST_ARGV_FILE"\n', {
    mode: 0o755,
  });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  stderr: string;
  /** What the stand-in received, or null when it never ran. */
  argv: string[] | null;
}

function run(script: string, args: string[], env: Record<string, string> = {}): Run {
  rmSync(argvFile, { force: true });
  const result = spawnSync(script, args, {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      VMPOOL_TEST_ARGV_FILE: argvFile,
      VMPOOL_TEST_JOURNALCTL: standIn,
      VMPOOL_TEST_AWS: standIn,
      VMPOOL_TEST_RECORDINGS: join(dir, 'recordings'),
      ...env,
    },
  });
  const argv = existsSync(argvFile)
    ? readFileSync(argvFile, 'utf8').split('\0').slice(0, -1)
    : null;
  return { status: result.status, stderr: result.stderr, argv };
}

describe('vmpool-logs (root, through sudo)', () => {
  it('is installed from the repository as an executable script', () => {
    expect(statSync(LOGS).mode & 0o777).toBe(0o755);
    expect(readFileSync(LOGS, 'utf8')).toMatch(/^journalctl=\/usr\/bin\/journalctl$/m);
  });

  it.each(LOG_UNITS)(
    'runs journalctl with a fixed argv for the logical unit %s, mapped as the catalogue maps it',
    (unit) => {
      const result = run(LOGS, [unit, '200']);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.argv).toEqual([
        `--unit=${PRODUCTION_COMMAND_ENV.units[unit]}.service`,
        '--lines=200',
        '--no-pager',
        '--output=short-iso',
      ]);
    },
  );

  it('takes line counts from 1 to 500', () => {
    expect(run(LOGS, ['obs', '1']).argv).toContain('--lines=1');
    expect(run(LOGS, ['obs', '500']).argv).toContain('--lines=500');
  });

  const hostile: [string, string[]][] = [
    ['the vacuum option after a valid call', ['obs', '50', '--vacuum-time=1s']],
    ['the vacuum option as the line count', ['obs', '--vacuum-time=1s']],
    ['the vacuum option as the unit', ['--vacuum-time=1s', '50']],
    ['another unit (-u ssh)', ['-u', 'ssh']],
    ['another unit after a valid call', ['obs', '50', '-u', 'ssh']],
    ['the ssh unit by name', ['ssh', '50']],
    ['a real unit name instead of a logical one', ['obs-headless', '50']],
    ['a unit with a .service suffix', ['obs.service', '50']],
    ['the kernel log (-k)', ['-k', '50']],
    ['the kernel log after a valid call', ['obs', '50', '-k']],
    ['a cursor file (writes as root)', ['obs', '50', '--cursor-file=/etc/shadow']],
    ['a cursor file as the unit', ['--cursor-file=/root/x', '50']],
    ['a unit with a space and an option', ['obs --vacuum-time=1s', '50']],
    ['a unit with a space and another unit', ['obs -u ssh', '50']],
    ['a unit with a newline', ['obs\n-k', '50']],
    ['a unit glob', ['*', '50']],
    ['an empty unit', ['', '50']],
    ['zero lines', ['obs', '0']],
    ['501 lines', ['obs', '501']],
    ['a huge line count', ['obs', '99999999999999999999']],
    ['negative lines', ['obs', '-1']],
    ['a leading zero', ['obs', '050']],
    ['a fraction', ['obs', '2.5']],
    ['an exponent', ['obs', '1e2']],
    ['hexadecimal', ['obs', '0x10']],
    ['a trailing newline', ['obs', '50\n']],
    ['a leading space', ['obs', ' 50']],
    ['lines with an option', ['obs', '50 --vacuum-time=1s']],
    ['a non-ASCII digit', ['obs', '٣']],
    ['an arithmetic expression', ['obs', 'a[$(id>&2)]']],
    ['no arguments', []],
    ['one argument', ['obs']],
    ['three arguments', ['obs', '50', '--no-pager']],
  ];

  it.each(hostile)('refuses %s without running journalctl', (_label, args) => {
    const result = run(LOGS, args);
    expect(result.status).toBe(64);
    expect(result.argv).toBeNull();
    expect(result.stderr).toMatch(/^vmpool-logs: /);
  });

  it('ignores the stand-in when started through sudo (production always is)', () => {
    const result = run(LOGS, ['obs', '1'], { SUDO_USER: 'vmpool-agent', SUDO_UID: '990' });
    // It ran /usr/bin/journalctl (or failed to find it), never the stand-in.
    expect(result.argv).toBeNull();
  });
});

describe('vmpool-archive (as ubuntu, through sudo)', () => {
  it('syncs the catalogue’s recordings folder, by absolute path', () => {
    const text = readFileSync(ARCHIVE, 'utf8');
    expect(statSync(ARCHIVE).mode & 0o777).toBe(0o755);
    expect(text).toMatch(/^aws=\/usr\/bin\/aws$/m);
    expect(text).toContain(`recordings=${PRODUCTION_COMMAND_ENV.dirs.recordings}\n`);
  });

  it('runs aws s3 sync with a fixed argv: only recordings, no symbolic links followed', () => {
    const result = run(ARCHIVE, ['gg-recordings', 'utah-2026']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.argv).toEqual([
      's3',
      'sync',
      '--only-show-errors',
      '--no-follow-symlinks',
      '--exclude',
      '*',
      '--include',
      '*.mp4',
      '--include',
      '*.mkv',
      `${join(dir, 'recordings')}/`,
      's3://gg-recordings/recordings/utah-2026/',
    ]);
  });

  const hostile: [string, string[]][] = [
    ['a bucket that is an option', ['--endpoint-url=http://evil', 'c1']],
    ['a bucket with a path', ['bucket/../other', 'c1']],
    ['an upper-case bucket', ['Bucket', 'c1']],
    ['a competition id with a slash', ['gg-recordings', '../../etc']],
    ['a competition id with a space', ['gg-recordings', 'c1 --delete']],
    ['a competition id with a newline', ['gg-recordings', 'c1\n']],
    ['an empty competition id', ['gg-recordings', '']],
    ['an extra option', ['gg-recordings', 'c1', '--delete']],
    ['one argument', ['gg-recordings']],
  ];

  it('keeps a competition id that looks like an option inside the S3 URL', () => {
    // Competition ids may start with '-'; the id only ever lands inside one argv element.
    expect(run(ARCHIVE, ['gg-recordings', '--delete']).argv?.slice(-2)).toEqual([
      `${join(dir, 'recordings')}/`,
      's3://gg-recordings/recordings/--delete/',
    ]);
  });

  it.each(hostile)('refuses %s without running aws', (_label, args) => {
    const result = run(ARCHIVE, args);
    expect(result.status).toBe(64);
    expect(result.argv).toBeNull();
    expect(result.stderr).toMatch(/^vmpool-archive: /);
  });

  it('ignores the stand-ins when started through sudo', () => {
    // Should this machine have an AWS CLI, it fails at once without credentials or network.
    const result = run(ARCHIVE, ['gg-recordings', 'c1'], {
      SUDO_USER: 'vmpool-agent',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: '',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_CONFIG_FILE: '/nonexistent',
    });
    expect(result.argv).toBeNull();
  });
});
