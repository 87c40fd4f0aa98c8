/**
 * Test helpers: a server per test file (or an external one), SDK clients of
 * both kinds, and small waiting utilities.
 *
 * RTDB_EMULATOR_HOST=host:port runs the suite against an external server (the
 * official emulator, or `npm run rtdb`) instead of starting one in-process.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deleteApp, initializeApp, setLogLevel, type FirebaseApp } from 'firebase/app';
import type { EmulatorMockTokenOptions } from '@firebase/util';
import { connectDatabaseEmulator, getDatabase, type Database } from 'firebase/database';
import {
  deleteApp as deleteAdminApp,
  initializeApp as initializeAdminApp,
  type App as AdminApp,
} from 'firebase-admin/app';
import {
  getDatabase as getAdminDatabase,
  type Database as AdminDatabase,
} from 'firebase-admin/database';
import { startRtdbServer, type RtdbServer, type RtdbServerOptions } from '../../src/rtdb/index';

// Permission-denied warnings are expected in these tests.
setLogLevel('error');

export const EXTERNAL_HOST = process.env.RTDB_EMULATOR_HOST;
export const isExternal = EXTERNAL_HOST !== undefined && EXTERNAL_HOST !== '';

export interface TestServer {
  readonly host: string;
  readonly port: number;
  readonly external: boolean;
  databaseUrl(ns: string): string;
  /** Sets the rules (for the namespace, on an external emulator). */
  setRules(rules: object | undefined, ns: string): Promise<void>;
  /** The in-process server (absent when external). */
  readonly local: RtdbServer | null;
  stop(): Promise<void>;
}

const ALLOW_ALL = { rules: { '.read': true, '.write': true } };

export async function startTestServer(opts: RtdbServerOptions = {}): Promise<TestServer> {
  if (isExternal) {
    const [host = '127.0.0.1', portText = '9000'] = (EXTERNAL_HOST as string).split(':');
    const port = Number(portText);
    const base = `http://${host}:${port}`;
    return {
      host,
      port,
      external: true,
      local: null,
      databaseUrl: (ns) => `${base}?ns=${ns}`,
      setRules: async (rules, ns) => {
        const res = await fetch(`${base}/.settings/rules.json?ns=${ns}`, {
          method: 'PUT',
          headers: { Authorization: 'Bearer owner' },
          body: JSON.stringify(rules ?? ALLOW_ALL),
        });
        if (!res.ok) throw new Error(`setting rules failed: ${res.status} ${await res.text()}`);
      },
      stop: async () => undefined,
    };
  }
  const server = await startRtdbServer({ port: 0, quiet: true, ...opts });
  return {
    host: '127.0.0.1',
    port: server.port,
    external: false,
    local: server,
    databaseUrl: (ns) => server.databaseUrl(ns),
    setRules: async (rules) => {
      await server.reloadRules(rules ?? ALLOW_ALL);
    },
    stop: () => server.stop(),
  };
}

let counter = 0;
/** A fresh namespace name (keeps tests apart, also on a shared external server). */
export function freshNs(prefix = 't'): string {
  counter += 1;
  return `${prefix}${process.pid}x${counter}x${Math.floor(Math.random() * 1e6)}`;
}

export interface WebClientOptions {
  /** Connect through connectDatabaseEmulator with this mock user token. */
  mockUserToken?: { user_id: string } & Record<string, unknown>;
  /** Connect through connectDatabaseEmulator (no token). */
  viaEmulatorApi?: boolean;
}

/** Tracks apps so a file can delete them all at the end. */
export class Clients {
  private readonly webApps: FirebaseApp[] = [];
  private readonly adminApps: AdminApp[] = [];

  constructor(private readonly server: TestServer) {}

  web(ns: string, opts: WebClientOptions = {}): Database {
    const name = `web-${freshNs()}`;
    if (opts.mockUserToken !== undefined || opts.viaEmulatorApi === true) {
      const app = initializeApp(
        { databaseURL: `https://${ns}.firebaseio.com`, projectId: 'demo-vmpool' },
        name,
      );
      this.webApps.push(app);
      const db = getDatabase(app);
      connectDatabaseEmulator(
        db,
        this.server.host,
        this.server.port,
        opts.mockUserToken === undefined
          ? {}
          : { mockUserToken: opts.mockUserToken as EmulatorMockTokenOptions },
      );
      return db;
    }
    const app = initializeApp(
      { databaseURL: this.server.databaseUrl(ns), projectId: 'demo-vmpool' },
      name,
    );
    this.webApps.push(app);
    return getDatabase(app);
  }

  /**
   * An admin client: `authVariableOverride` undefined = owner (bypasses rules),
   * an object = owner+authvar, null = owner+noauth.
   */
  admin(ns: string, authVariableOverride?: object | null): AdminDatabase {
    const app = initializeAdminApp(
      {
        databaseURL: this.server.databaseUrl(ns),
        projectId: 'demo-vmpool',
        ...(authVariableOverride === undefined
          ? {}
          : { databaseAuthVariableOverride: authVariableOverride }),
      },
      `admin-${freshNs()}`,
    );
    this.adminApps.push(app);
    return getAdminDatabase(app);
  }

  async closeAll(): Promise<void> {
    const web = this.webApps.splice(0);
    const admin = this.adminApps.splice(0);
    await Promise.all([...web.map((a) => deleteApp(a)), ...admin.map((a) => deleteAdminApp(a))]);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` returns true (or throws after `timeoutMs`). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** An unsigned JWT like the SDK's mockUserToken (for raw clients). */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none', type: 'JWT' })}.${enc({ iat: 0, ...claims })}.`;
}

const CLI = fileURLToPath(new URL('../../src/rtdb/cli.ts', import.meta.url));
/** The repository's security rules, as `npm start` loads them. */
export const RULES_FILE = fileURLToPath(new URL('../../../database.rules.json', import.meta.url));

export interface CliServer extends TestServer {
  readonly pid: number;
  /** Resident memory of the server process now, and its peak since the last reset (MB). */
  memoryMb(): { rss: number; peak: number };
  /** Starts measuring the peak afresh (Linux: clear_refs 5). */
  resetPeak(): void;
  /** What the server logged on stderr so far. */
  stderr(): string;
}

/** The server as its own process (the CLI): its event loop and memory are its own. */
export async function startCliServer(args: string[]): Promise<CliServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`rtdb cli exited (${code}): ${err}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    host: '127.0.0.1',
    port,
    external: false,
    local: null,
    pid: child.pid as number,
    databaseUrl: (ns) => `${base}?ns=${ns}`,
    setRules: async (rules, ns) => {
      const res = await fetch(`${base}/.settings/rules.json?ns=${ns}`, {
        method: 'PUT',
        headers: { Authorization: 'Bearer owner' },
        body: JSON.stringify(rules ?? ALLOW_ALL),
      });
      if (!res.ok) throw new Error(`setting rules failed: ${res.status} ${await res.text()}`);
    },
    memoryMb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const mb = (field: string): number =>
        Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024;
      return { rss: mb('VmRSS'), peak: mb('VmHWM') };
    },
    resetPeak: () => writeFileSync(`/proc/${child.pid}/clear_refs`, '5'),
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
