// The web app on 127.0.0.1 in local mode: the Vite dev server, or a production build served by
// `vite preview`. Either way it talks to the Auth emulator and the local RTDB server only.
import { spawn } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { killGroup } from '../compute/vm-processes';

export interface WebAppOptions {
  repoRoot: string;
  logDir: string;
  host: string;
  port: number;
  mode: 'dev' | 'preview';
  authEmulatorHost: string;
  databaseHost: string;
  namespace: string;
  /** the HTTPS API the web server proxies `/api/` to (as Hosting rewrites /api/** to it) */
  apiUrl: string;
  readyTimeoutMs?: number;
}

export interface WebApp {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * The web origins the web app is served from (the same server answers on `localhost` when
 * it listens on loopback): the local RTDB server accepts credentials from these pages only.
 */
export function webAppOrigins(host: string, port: number): string[] {
  const origins = [`http://${host}:${port}`];
  if (host === '127.0.0.1') origins.push(`http://localhost:${port}`);
  if (host === 'localhost') origins.push(`http://127.0.0.1:${port}`);
  return origins;
}

function viteEnv(options: WebAppOptions): Record<string, string> {
  return {
    VITE_USE_EMULATORS: 'true',
    VITE_AUTH_EMULATOR_HOST: options.authEmulatorHost,
    VITE_DATABASE_EMULATOR_HOST: options.databaseHost,
    VITE_DATABASE_NAMESPACE: options.namespace,
    VITE_FIREBASE_PROJECT_ID: options.namespace,
    VMPOOL_WEB_HOST: options.host,
    VMPOOL_WEB_PORT: String(options.port),
    VMPOOL_API_TARGET: options.apiUrl,
  };
}

async function runVite(options: WebAppOptions, args: string[], logName: string) {
  await mkdir(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${logName}.log`);
  const log = await open(logFile, 'w');
  const vite = join(options.repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const child = spawn(process.execPath, [vite, ...args], {
    cwd: join(options.repoRoot, 'web'),
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
    env: { ...process.env, ...viteEnv(options) },
  });
  await log.close();
  if (child.pid === undefined) throw new Error('could not start vite');
  child.unref();
  return { child, pid: child.pid, logFile };
}

async function tail(logFile: string): Promise<string> {
  return (await readFile(logFile, 'utf8')).trim().split('\n').slice(-20).join('\n');
}

export async function startWebApp(options: WebAppOptions): Promise<WebApp> {
  if (options.mode === 'preview') {
    const build = await runVite(options, ['build'], 'web-build');
    const code = await new Promise<number | null>((resolve) => {
      if (build.child.exitCode !== null) resolve(build.child.exitCode);
      else build.child.once('exit', (exitCode) => resolve(exitCode));
    });
    if (code !== 0)
      throw new Error(
        `the web build failed (${code}); ${build.logFile}:\n${await tail(build.logFile)}`,
      );
  }
  // Vite refuses a second dev or preview server of the same project; each stack serves on its
  // own port (the test suites run several at once), so only the build keeps Vite's lock.
  const server = await runVite(
    options,
    options.mode === 'dev' ? ['--bypass-lock'] : ['preview', '--bypass-lock'],
    'web',
  );
  const url = `http://${options.host}:${options.port}/`;
  const until = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) break;
    } catch {
      // not up yet
    }
    if (server.child.exitCode !== null || Date.now() > until) {
      await killGroup(server.pid, 3000);
      throw new Error(
        `the web app did not come up on ${url}; ${server.logFile}:\n${await tail(server.logFile)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url, pid: server.pid, stop: () => killGroup(server.pid, 5000) };
}
