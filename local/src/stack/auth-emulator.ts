// The Firebase Auth emulator from firebase-tools, in its own process group. It needs Java 21+:
// JAVA_HOME when it has one, else Temurin 25 where this machine keeps it, else `java` on PATH.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { killGroup } from '../compute/vm-processes';

export interface AuthEmulatorOptions {
  repoRoot: string;
  /** its firebase.json, debug log and output go here */
  workDir: string;
  host: string;
  port: number;
  projectId: string;
  javaHome: string | undefined;
  readyTimeoutMs?: number;
}

export interface AuthEmulator {
  /** `127.0.0.1:9099`, the value of FIREBASE_AUTH_EMULATOR_HOST */
  hostPort: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

const TEMURIN = '/usr/lib/jvm/temurin-25-jdk-amd64';

function javaEnv(javaHome: string | undefined): Record<string, string> {
  const home = [javaHome, TEMURIN].find(
    (candidate) => candidate !== undefined && existsSync(join(candidate, 'bin', 'java')),
  );
  if (home === undefined) return {};
  return { JAVA_HOME: home, PATH: `${join(home, 'bin')}:${process.env.PATH ?? ''}` };
}

/** A port nobody listens on right now (the emulator hub and logging ports must not clash). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    if (!response.ok) return false;
    const body = (await response.json()) as { authEmulator?: { ready?: boolean } };
    return body.authEmulator?.ready === true;
  } catch {
    return false;
  }
}

export async function startAuthEmulator(options: AuthEmulatorOptions): Promise<AuthEmulator> {
  await mkdir(options.workDir, { recursive: true });
  const configFile = join(options.workDir, 'firebase.json');
  const [hubPort, loggingPort] = [await freePort(options.host), await freePort(options.host)];
  await writeFile(
    configFile,
    JSON.stringify(
      {
        emulators: {
          auth: { host: options.host, port: options.port },
          hub: { host: options.host, port: hubPort },
          logging: { host: options.host, port: loggingPort },
          ui: { enabled: false },
          singleProjectMode: true,
        },
      },
      null,
      2,
    ),
  );
  const logFile = join(options.workDir, 'auth-emulator.log');
  const log = await open(logFile, 'w');
  const firebaseBin = join(
    options.repoRoot,
    'node_modules',
    'firebase-tools',
    'lib',
    'bin',
    'firebase.js',
  );
  const child = spawn(
    process.execPath,
    [
      firebaseBin,
      'emulators:start',
      '--only',
      'auth',
      '--project',
      options.projectId,
      '--config',
      configFile,
    ],
    {
      cwd: options.workDir,
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: {
        ...process.env,
        ...javaEnv(options.javaHome),
        FIREBASE_CLI_DISABLE_UPDATE_CHECK: 'true',
      },
    },
  );
  await log.close();
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the Firebase Auth emulator');
  child.unref();
  const url = `http://${options.host}:${options.port}/`;
  const until = Date.now() + (options.readyTimeoutMs ?? 240_000);
  while (!(await ready(url))) {
    if (child.exitCode !== null || Date.now() > until) {
      await killGroup(pid, 5000);
      const tail = (await readFile(logFile, 'utf8')).trim().split('\n').slice(-15).join('\n');
      throw new Error(
        `the Firebase Auth emulator ${child.exitCode !== null ? `exited (${child.exitCode})` : 'did not become ready'} on port ${options.port}; its output (${logFile}):\n${tail}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    hostPort: `${options.host}:${options.port}`,
    pid,
    logFile,
    stop: () => killGroup(pid, 10_000),
  };
}
