// The Firebase Auth emulator (firebase-tools, offline) as a child process on free ports, for
// the production sign-in path: custom token → signInWithCustomToken → ID token with claims.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
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
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Auth emulator not ready in 90 s:\n${output}`)),
      90_000,
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
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    host: `127.0.0.1:${auth}`,
    url: `http://127.0.0.1:${auth}`,
    async stop() {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      const forced = setTimeout(() => {
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }, 10_000);
      await exited;
      clearTimeout(forced);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
