/**
 * `npm run bench:rtdb`: throughput and latency of the local RTDB server.
 * The server runs in its own process (the CLI); clients are firebase-admin SDK
 * apps, and the fan-out listeners are raw protocol sockets (so the figure is
 * the server's, not 100 SDK instances sharing this process's CPU).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getDatabase, type Database } from 'firebase-admin/database';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ADMIN } from '../src/rtdb/auth';
import { Namespace } from '../src/rtdb/namespace';
import { runAttacks } from './rtdb-attacks';
import {
  processCpuSeconds,
  processMemoryMb,
  RawConn,
  startRtdbServer,
  unsignedJwt,
} from './rtdb-raw';

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
  return processCpuSeconds(serverPid);
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

async function fanOut(
  port: number,
  writer: Database,
  listeners: number,
  writes: number,
): Promise<Stats> {
  const socks = await Promise.all(
    Array.from({ length: listeners }, () => RawConn.listener(port, NS, '/fan')),
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
  const server = await startRtdbServer(['--rules', rulesFile]);
  const previousPid = serverPid;
  serverPid = server.child.pid as number;
  cpuMark = serverCpuSeconds();
  try {
    const conn = await RawConn.open(server.port, NS);
    await conn.request('auth', { cred: unsignedJwt({ sub: 'u', admin: true }) });
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
  const { child, port } = await startRtdbServer();
  serverPid = child.pid as number;
  try {
    const db = adminDb(port);
    await db.ref('warmup').set(1);
    for (let i = 0; i < 500; i++) await db.ref(`warmup/${i}`).set(i);
    cpuMark = serverCpuSeconds();

    const raw = await RawConn.open(port, NS);
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

    const before = processMemoryMb(child.pid as number).rss;
    for (let batch = 0; batch < 100; batch++) {
      const data: Record<string, unknown> = {};
      for (let j = 0; j < 1000; j++) data[`n${batch}/c${j}`] = j;
      await db.ref('mem').update(data);
    }
    const count = await db.ref('mem/n99').get();
    const after = processMemoryMb(child.pid as number).rss;
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
