// The Firebase Auth emulator (firebase-tools, offline) as a child process on free ports, for
// the production sign-in path: custom token → signInWithCustomToken → ID token with claims.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { stopGroup } from './process-group';
import { REPO_ROOT } from './stack';

const TEMURIN = '/usr/lib/jvm/temurin-25-jdk-amd64';

/** Java 21+ as the stack finds it: JAVA_HOME, Temurin 25, else `java` on PATH (npm run setup). */
function javaEnv(): Record<string, string> {
  const home = [process.env.JAVA_HOME, TEMURIN].find(
    (candidate) => candidate !== undefined && existsSync(join(candidate, 'bin', 'java')),
  );
  if (home === undefined) return {};
  return { JAVA_HOME: home, PATH: `${home}/bin:${process.env.PATH ?? ''}` };
}

export interface AuthEmulator {
  host: string;
  url: string;
  stop(): Promise<void>;
}

export async function startAuthEmulator(projectId: string): Promise<AuthEmulator> {
  const [auth, hub, logging] = [await freePort(), await freePort(), await freePort()];
  const dir = await mkdtemp(join(tmpdir(), 'vmpool-auth-emulator-'));
  await writeFile(
    join(dir, 'firebase.json'),
    JSON.stringify({
      emulators: {
        auth: { host: '127.0.0.1', port: auth },
        hub: { host: '127.0.0.1', port: hub },
        logging: { host: '127.0.0.1', port: logging },
        ui: { enabled: false },
      },
    }),
  );
  const child: ChildProcess = spawn(
    join(REPO_ROOT, 'node_modules/.bin/firebase'),
    ['emulators:start', '--only', 'auth', '--project', projectId],
    {
      cwd: dir,
      env: { ...process.env, ...javaEnv() },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that stopping it leaves no emulator behind.
      detached: true,
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let output = '';
  // On a loaded machine the emulator (Java) can take two minutes to be ready.
  const readyTimeoutMs = 240_000;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`Auth emulator not ready in ${readyTimeoutMs / 1000} s:\n${output}`)),
        readyTimeoutMs,
      );
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('All emulators ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Auth emulator exited with ${String(code)}:\n${output}`));
      });
    });
  } catch (error) {
    // Nothing of it may outlive the failed start.
    await stopGroup(child, exited, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host: `127.0.0.1:${auth}`,
    url: `http://127.0.0.1:${auth}`,
    async stop() {
      await stopGroup(child, exited, 'SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
