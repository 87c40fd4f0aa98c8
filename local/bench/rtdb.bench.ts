/**
 * `npm run bench:rtdb`: throughput and latency of the local RTDB server.
 * The server runs in its own process (the CLI); clients are firebase-admin SDK
 * apps, and the fan-out listeners are raw protocol sockets (so the figure is
 * the server's, not 100 SDK instances sharing this process's CPU).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getDatabase, type Database } from 'firebase-admin/database';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { ADMIN } from '../src/rtdb/auth';
import { Namespace } from '../src/rtdb/namespace';
import { runAttacks } from './rtdb-attacks';

const CLI = fileURLToPath(new URL('../src/rtdb/cli.ts', import.meta.url));
const NS = 'bench';

interface Stats {
  readonly ops: number;
  readonly seconds: number;
  readonly latencies: number[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

let serverPid = 0;
let cpuMark = 0;

/** CPU seconds (user + system) the server process used so far. */
function serverCpuSeconds(): number {
  const fields = readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function report(name: string, s: Stats): void {
  const sorted = [...s.latencies].sort((a, b) => a - b);
  const cpu = serverCpuSeconds();
  const busy = (100 * (cpu - cpuMark)) / s.seconds;
  cpuMark = cpu;
  console.log(
    `${name.padEnd(44)} ${String(Math.round(s.ops / s.seconds)).padStart(7)} ops/s   p50 ${percentile(sorted, 50).toFixed(2).padStart(6)} ms   p99 ${percentile(sorted, 99).toFixed(2).padStart(6)} ms   server CPU ${busy.toFixed(0).padStart(3)}%   (${s.ops} ops)`,
  );
}

async function startServer(
  extraArgs: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, '--port', '0', '--quiet', ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  return { child, port };
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

const apps: App[] = [];
function adminDb(port: number): Database {
  const app = initializeApp(
    { databaseURL: `http://127.0.0.1:${port}?ns=${NS}`, projectId: 'demo-bench' },
    `bench-${apps.length}`,
  );
  apps.push(app);
  return getDatabase(app);
}

/** Runs `total` operations with at most `window` in flight. */
async function windowed(
  total: number,
  window: number,
  op: (i: number) => Promise<unknown>,
): Promise<Stats> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      await op(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  return { ops: total, seconds: (performance.now() - start) / 1000, latencies };
}

/** A raw protocol connection: pipelined requests, and pushes for listens. */
class RawConn {
  private expected = 0;
  private parts: string[] = [];
  private nextR = 1;
  private readonly pending = new Map<number, () => void>();
  onValue: (value: unknown) => void = () => undefined;
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.frame(data.toString()));
  }
  static async open(port: number): Promise<RawConn> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/.ws?v=5&ns=${NS}`);
    const c = new RawConn(ws);
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    return c;
  }
  static async listener(port: number, path: string): Promise<RawConn> {
    const c = await RawConn.open(port);
    await c.request('q', { p: path, h: '' });
    return c;
  }
  request(a: string, b: unknown): Promise<void> {
    const r = this.nextR++;
    this.ws.send(JSON.stringify({ t: 'd', d: { r, a, b } }));
    return new Promise((resolve) => this.pending.set(r, resolve));
  }
  private frame(text: string): void {
    if (this.expected === 0 && text.length <= 6 && /^\d+$/.test(text)) {
      this.expected = Number(text);
      this.parts = [];
      return;
    }
    if (this.expected > 0) {
      this.parts.push(text);
      if (this.parts.length < this.expected) return;
      text = this.parts.join('');
      this.expected = 0;
    }
    const msg = JSON.parse(text) as {
      t: string;
      d: { r?: number; a?: string; b?: { d?: unknown } };
    };
    if (msg.t !== 'd') return;
    if (msg.d.a === 'd') this.onValue(msg.d.b?.d);
    if (typeof msg.d.r === 'number') {
      this.pending.get(msg.d.r)?.();
      this.pending.delete(msg.d.r);
    }
  }
  close(): void {
    this.ws.terminate();
  }
}

async function fanOut(
  port: number,
  writer: Database,
  listeners: number,
  writes: number,
): Promise<Stats> {
  const socks = await Promise.all(
    Array.from({ length: listeners }, () => RawConn.listener(port, '/fan')),
  );
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; i < writes; i++) {
    const t0 = performance.now();
    let pending = listeners;
    const all = new Promise<void>((resolve) => {
      for (const s of socks) {
        s.onValue = (v) => {
          if ((v as { i?: number } | null)?.i !== i) return;
          latencies.push(performance.now() - t0);
          if (--pending === 0) resolve();
        };
      }
    });
    await writer.ref('fan').set({ i, payload: 'x'.repeat(100) });
    await all;
  }
  const seconds = (performance.now() - start) / 1000;
  socks.forEach((s) => s.close());
  return { ops: writes, seconds, latencies };
}

/** Raw-protocol sets by a signed-in user, every one evaluated against security rules. */
async function rulesThroughput(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rtdb-bench-'));
  const rulesFile = join(dir, 'rules.json');
  writeFileSync(
    rulesFile,
    JSON.stringify({
      rules: {
        vms: {
          '.read': 'auth != null',
          $vmId: {
            '.write': 'auth != null && (auth.token.admin === true || auth.token.vmId === $vmId)',
            '.validate': "newData.hasChildren(['status', 'at'])",
            status: {
              '.validate': 'newData.isString() && newData.val().matches(/^(idle|busy|down)$/)',
            },
            at: { '.validate': 'newData.isNumber() && newData.val() <= now' },
          },
        },
      },
    }),
  );
  const server = await startServer(['--rules', rulesFile]);
  const previousPid = serverPid;
  serverPid = server.child.pid as number;
  cpuMark = serverCpuSeconds();
  try {
    const conn = await RawConn.open(server.port);
    const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    await conn.request('auth', {
      cred: `${enc({ alg: 'none' })}.${enc({ sub: 'u', iat: 0, admin: true })}.`,
    });
    report(
      'raw set with rules (user auth, 100 in flight)',
      await windowed(10_000, 100, (i) =>
        conn.request('p', {
          p: `/vms/vm${i % 200}`,
          d: { status: 'busy', at: { '.sv': 'timestamp' } },
        }),
      ),
    );
    conn.close();
  } finally {
    server.child.kill('SIGTERM');
    serverPid = previousPid;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Heap taken by a namespace holding 100k leaves, measured in this process. */
function treeMemory(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  const ns = new Namespace('mem', null);
  for (let batch = 0; batch < 100; batch++) {
    const data: Record<string, unknown> = {};
    for (let j = 0; j < 1000; j++) data[`n${batch}/c${j}`] = j;
    ns.update(ADMIN, ['mem'], data, 0);
  }
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  console.log(
    `memory: tree of 100k leaves in one namespace: ${(bytes / 1048576).toFixed(1)} MB heap (${Math.round(bytes / 100_000)} bytes/leaf)`,
  );
  if (ns.root === null) throw new Error('unreachable');
}

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(
    `machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}`,
  );
  const { child, port } = await startServer();
  serverPid = child.pid as number;
  try {
    const db = adminDb(port);
    await db.ref('warmup').set(1);
    for (let i = 0; i < 500; i++) await db.ref(`warmup/${i}`).set(i);
    cpuMark = serverCpuSeconds();

    const raw = await RawConn.open(port);
    report(
      'raw protocol set (100 in flight)',
      await windowed(30_000, 100, (i) => raw.request('p', { p: `/raw/${i % 1000}`, d: { i } })),
    );
    report(
      'raw protocol update (100 in flight)',
      await windowed(30_000, 100, (i) =>
        raw.request('m', { p: '/rawm', d: { [`a/${i % 1000}`]: i, [`b/${i % 7}`]: { i } } }),
      ),
    );
    raw.close();
    report(
      'admin SDK set (100 in flight)',
      await windowed(20_000, 100, (i) => db.ref(`set/${i % 1000}`).set({ i, at: 'x' })),
    );
    report(
      'admin SDK set (sequential)',
      await windowed(3_000, 1, (i) => db.ref(`seq/${i % 100}`).set(i)),
    );
    report(
      'admin SDK update (100 in flight)',
      await windowed(20_000, 100, (i) =>
        db.ref('upd').update({ [`a/${i % 1000}`]: i, [`b/${i % 7}`]: { i } }),
      ),
    );
    const txClients = Array.from({ length: 10 }, () => adminDb(port));
    report(
      'admin SDK transaction, 10 clients, own paths',
      await windowed(2_000, 10, (i) =>
        (txClients[i % 10] as Database)
          .ref(`tx/own${i % 10}`)
          .transaction((v) => ((v as number | null) ?? 0) + 1),
      ),
    );
    // The SDK gives up after 25 datastale replies in a row (maxretry); retry like an app would.
    let maxretries = 0;
    const contended = await windowed(1_000, 10, async (i) => {
      for (;;) {
        try {
          return await (txClients[i % 10] as Database)
            .ref('tx/shared')
            .transaction((v) => ((v as number | null) ?? 0) + 1);
        } catch (e) {
          if (!String(e).includes('maxretry')) throw e;
          maxretries += 1;
        }
      }
    });
    report(`admin SDK transaction, 10 clients, 1 path (${maxretries} maxretry)`, contended);
    const final = (await db.ref('tx/shared').get()).val() as number;
    if (final !== 1000) throw new Error(`contended counter is ${final}, expected 1000`);

    report('fan-out: 1 write -> 100 listeners (per listener)', await fanOut(port, db, 100, 300));

    const before = rssMb(child.pid as number);
    for (let batch = 0; batch < 100; batch++) {
      const data: Record<string, unknown> = {};
      for (let j = 0; j < 1000; j++) data[`n${batch}/c${j}`] = j;
      await db.ref('mem').update(data);
    }
    const count = await db.ref('mem/n99').get();
    const after = rssMb(child.pid as number);
    console.log(
      `memory: 100k leaf nodes (+100 branches): server RSS ${before.toFixed(0)} MB -> ${after.toFixed(0)} MB (+${(after - before).toFixed(0)} MB); check ${count.numChildren()} children`,
    );
    treeMemory();
    await rulesThroughput();
  } finally {
    await Promise.all(apps.splice(0).map((a) => deleteApp(a)));
    child.kill('SIGTERM');
  }
  // Each attack runs against a fresh server process with the real database.rules.json.
  await runAttacks();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
