import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  findJava,
  javaMajor,
  missingLine,
  missingPrerequisites,
  TEMURIN_HOME,
  type Probe,
} from './index';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A machine with these executables (path → `-version` output for a java). */
function machine(files: Record<string, string>, env: Record<string, string> = {}): Probe {
  return {
    env: { PATH: '/usr/local/bin:/usr/bin', ...env },
    executable: (path) => path in files,
    output: (file) => files[file] ?? null,
  };
}

const JAVA_17 = 'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment';
const JAVA_25 = 'openjdk version "25.0.1" 2025-10-21 LTS';
const EVERYTHING = {
  '/usr/bin/chromium': '',
  '/usr/local/bin/moto_server': '',
  '/usr/bin/obs': '',
  '/usr/bin/ffmpeg': '',
  '/usr/bin/Xvfb': '',
  '/usr/sbin/visudo': '',
};

describe('the prerequisites check', () => {
  it('reads Java versions, old and new style', () => {
    expect(javaMajor(JAVA_17)).toBe(17);
    expect(javaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(javaMajor('java version "1.8.0_402"')).toBe(8);
    expect(javaMajor('command not found')).toBeNull();
  });

  it('finds Java 21+ from JAVA_HOME, then Temurin 25, then PATH, skipping older ones', () => {
    expect(findJava(machine({ '/usr/bin/java': JAVA_17 }))).toBeNull();
    expect(
      findJava(machine({ '/usr/bin/java': JAVA_17, [`${TEMURIN_HOME}/bin/java`]: JAVA_25 })),
    ).toEqual({ java: `${TEMURIN_HOME}/bin/java`, major: 25 });
    expect(
      findJava(
        machine(
          { '/opt/jdk/bin/java': 'openjdk version "21.0.2"', '/usr/local/bin/java': JAVA_25 },
          { JAVA_HOME: '/opt/jdk' },
        ),
      ),
    ).toEqual({ java: '/opt/jdk/bin/java', major: 21 });
    expect(
      findJava(
        machine(
          { '/opt/old/bin/java': JAVA_17, '/usr/local/bin/java': JAVA_25 },
          { JAVA_HOME: '/opt/old' },
        ),
      ),
    ).toEqual({ java: '/usr/local/bin/java', major: 25 });
  });

  it('names nothing on a complete machine, and each missing piece otherwise', () => {
    expect(
      missingPrerequisites(machine({ ...EVERYTHING, '/usr/bin/java': 'version "21.0.1"' })),
    ).toEqual([]);
    const missing = missingPrerequisites(
      machine({ '/usr/bin/java': JAVA_17, '/usr/bin/ffmpeg': '' }),
    );
    expect(missingLine(missing)).toBe(
      'npm test: missing Chromium (browser tests), moto (moto_server) (EC2/SSM tests), Java 21+ (the Auth emulator), OBS Studio (OBS tests), Xvfb (headless OBS), sudo (visudo) (the VM image sudoers tests); install them with: npm run setup',
    );
    const elsewhere = machine(
      { ...EVERYTHING, '/opt/chrome': '', '/usr/bin/java': JAVA_25 },
      {
        CHROMIUM_PATH: '/opt/chrome',
      },
    );
    expect(missingPrerequisites(elsewhere)).toEqual([]);
  });

  it('run with a stripped PATH, says in one line what is missing and how to install it', () => {
    // A PATH with node alone (node lives in /usr/bin beside obs and ffmpeg on Debian).
    const bin = mkdtempSync(join(tmpdir(), 'vmpool-path-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    const result = spawnSync(tsx, [join(REPO_ROOT, 'tools/src/prereqs/cli.ts')], {
      env: { PATH: bin, CHROMIUM_PATH: '/nonexistent/chromium', HOME: process.env.HOME ?? '/' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    rmSync(bin, { recursive: true, force: true });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^npm test: missing Chromium \(browser tests\), moto \(moto_server\) \(EC2\/SSM tests\), (Java 21\+ \(the Auth emulator\), )?OBS Studio \(OBS tests\), ffmpeg \(stream tests\), Xvfb \(headless OBS\); install them with: npm run setup$/,
    );
  }, 60_000);
});
