// What `npm test` needs beyond node_modules, checked before any test runs, so that a fresh
// machine gets one line naming what is missing and the one command that installs it
// (`npm run setup`, scripts/setup.sh) instead of a failure per test.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The machine as the check sees it (a fake in the unit tests). */
export interface Probe {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The path of an executable file, or null. */
  executable(path: string): boolean;
  /** stdout and stderr of a command, or null when it does not run. */
  output(file: string, args: readonly string[]): string | null;
}

/** Where this project's machines keep Java 25 (the stack and the tests look there too). */
export const TEMURIN_HOME = '/usr/lib/jvm/temurin-25-jdk-amd64';
/** The browser the browser tests launch (CHROMIUM_PATH overrides it). */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const MIN_JAVA = 21;

/** The command on PATH, as a shell would find it. */
export function which(probe: Probe, command: string): string | null {
  for (const dir of (probe.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    if (probe.executable(candidate)) return candidate;
  }
  return null;
}

/** The major version in `java -version` output (`17.0.15`, `21`, `1.8.0_402` → 8). */
export function javaMajor(versionOutput: string): number | null {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (match === null) return null;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

export interface FoundJava {
  java: string;
  major: number;
}

/**
 * Java 21+ the way the stack's Auth emulator finds it: JAVA_HOME, then Temurin 25 where this
 * project's machines keep it, then `java` on PATH.
 */
export function findJava(probe: Probe): FoundJava | null {
  const candidates = [
    probe.env.JAVA_HOME === undefined ? null : join(probe.env.JAVA_HOME, 'bin', 'java'),
    join(TEMURIN_HOME, 'bin', 'java'),
    which(probe, 'java'),
  ];
  for (const java of candidates) {
    if (java === null || !probe.executable(java)) continue;
    const output = probe.output(java, ['-version']);
    const major = output === null ? null : javaMajor(output);
    if (major !== null && major >= MIN_JAVA) return { java, major };
  }
  return null;
}

export interface Prerequisite {
  /** How the one-line report names it. */
  readonly name: string;
  /** Which tests need it. */
  readonly neededBy: string;
  present(probe: Probe): boolean;
}

export const PREREQUISITES: readonly Prerequisite[] = [
  {
    name: 'Chromium',
    neededBy: 'browser tests',
    present: (probe) => probe.executable(probe.env.CHROMIUM_PATH ?? CHROMIUM_PATH),
  },
  {
    name: 'moto (moto_server)',
    neededBy: 'EC2/SSM tests',
    present: (probe) => which(probe, 'moto_server') !== null,
  },
  {
    name: `Java ${MIN_JAVA}+`,
    neededBy: 'the Auth emulator',
    present: (probe) => findJava(probe) !== null,
  },
  { name: 'OBS Studio', neededBy: 'OBS tests', present: (probe) => which(probe, 'obs') !== null },
  { name: 'ffmpeg', neededBy: 'stream tests', present: (probe) => which(probe, 'ffmpeg') !== null },
  { name: 'Xvfb', neededBy: 'headless OBS', present: (probe) => which(probe, 'Xvfb') !== null },
  {
    name: 'sudo (visudo)',
    neededBy: 'the VM image sudoers tests',
    // Debian keeps visudo in /usr/sbin, which is not on every user's PATH.
    present: (probe) => which(probe, 'visudo') !== null || probe.executable('/usr/sbin/visudo'),
  },
];

export function missingPrerequisites(probe: Probe): Prerequisite[] {
  return PREREQUISITES.filter((prerequisite) => !prerequisite.present(probe));
}

/** The one line for what is missing. */
export function missingLine(missing: readonly Prerequisite[]): string {
  const names = missing.map((item) => `${item.name} (${item.neededBy})`).join(', ');
  return `npm test: missing ${names}; install them with: npm run setup`;
}

/** The real machine. */
export function systemProbe(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Probe {
  return {
    env,
    executable: (path) => {
      try {
        accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
    output: (file, args) => {
      const result = spawnSync(file, [...args], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...env },
      });
      return result.error === undefined ? `${result.stdout}${result.stderr}` : null;
    },
  };
}
