/**
 * Denial-of-service frames against the local RTDB server, measured from outside: the server
 * runs as its own process (the CLI) with the real database.rules.json; a probe client keeps
 * reading (`g`) every 20 ms while one attacking frame is sent, and reports the worst read
 * latency it saw (how long the server's event loop was blocked for everyone else), how long
 * the attacker waited for its answer, and the server's resident memory before and at its peak.
 *
 * Run on its own with `tsx local/bench/rtdb-attacks.ts [path/to/cli.ts]` (another checkout's
 * CLI gives "before" figures); `npm run bench:rtdb` runs it as its last section.
 */
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  processCpuSeconds,
  processMemoryMb,
  RawConn,
  RTDB_CLI,
  startRtdbServer,
  unsignedJwt,
} from './rtdb-raw';

const RULES = fileURLToPath(new URL('../../database.rules.json', import.meta.url));
const NS = 'attack';

/** CPU time (user + system) a process has used so far, in ms. */
function cpuMs(pid: number): number {
  return processCpuSeconds(pid) * 1000;
}

export interface AttackFigures {
  readonly name: string;
  readonly bytes: number;
  /** What the attacker got back (status) and after how long. */
  readonly reply: string;
  readonly replyMs: number;
  /** The slowest read another client saw while the frame was processed. */
  readonly worstOtherReadMs: number;
  readonly otherReads: number;
  readonly rssBeforeMb: number;
  readonly rssPeakMb: number;
  /** CPU time the server used from sending the frame until shortly after its answer. */
  readonly serverCpuMs: number;
}

interface Attack {
  readonly name: string;
  /** Credentials of the attacking connection: null = anonymous. */
  readonly auth: { a: 'auth' | 'gauth'; cred: string } | null;
  readonly action: 'p' | 'm';
  readonly path: string;
  readonly data: () => unknown;
}

const PRODUCER = { a: 'auth', cred: unsignedJwt({ sub: 'mallory', producer: true }) } as const;

function requestRows(n: number): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    d[`req-${i}`] = {
      action: 'assign',
      competitionId: 'c1',
      requestedBy: 'mallory',
      requestedAt: { '.sv': 'timestamp' },
    };
  }
  return d;
}

function manyPaths(n: number): Record<string, number> {
  const d: Record<string, number> = {};
  for (let i = 0; i < n; i++) d[`k${String(i).padStart(5, '0')}/val`] = 1;
  return d;
}

function manyValues(n: number): Record<string, string> {
  const d: Record<string, string> = {};
  for (let i = 0; i < n; i++) d[`k${i}`] = 'x';
  return d;
}

function bigObject(bytes: number): Record<string, string> {
  const d: Record<string, string> = {};
  const value = 'x'.repeat(20);
  for (let i = 0; i * 33 < bytes; i++) d[`k${String(i).padStart(6, '0')}`] = value;
  return d;
}

export const ATTACKS: readonly Attack[] = [
  {
    name: 'anonymous update of 8,000 paths at /',
    auth: null,
    action: 'm',
    path: '/',
    data: () => manyPaths(8000),
  },
  {
    name: 'anonymous 15 MiB set at /junk',
    auth: null,
    action: 'p',
    path: '/junk',
    data: () => bigObject(15 * 1024 * 1024),
  },
  {
    name: 'signed-in producer 15 MiB set at a request id',
    auth: PRODUCER,
    action: 'p',
    path: '/vmPool/requests/req-attack',
    data: () => ({ action: 'assign', competitionId: 'c1', junk: bigObject(15 * 1024 * 1024) }),
  },
  {
    name: 'signed-in producer set of 10,000 values at a request id (largest write allowed)',
    auth: PRODUCER,
    action: 'p',
    path: '/vmPool/requests/req-attack',
    data: () => ({ action: 'assign', competitionId: 'c1', junk: manyValues(9990) }),
  },
  {
    name: 'signed-in producer update creating 100 requests (most paths allowed)',
    auth: PRODUCER,
    action: 'm',
    path: '/vmPool/requests',
    data: () => requestRows(100),
  },
  {
    name: 'owner (admin) update of 8,000 paths at /bulk',
    auth: { a: 'gauth', cred: 'owner' },
    action: 'm',
    path: '/bulk',
    data: () => manyPaths(8000),
  },
];

async function runOne(cli: string, attack: Attack): Promise<AttackFigures> {
  const { child, port } = await startRtdbServer(['--rules', RULES], cli);
  const pid = child.pid as number;
  try {
    const probe = await RawConn.open(port, NS);
    await probe.request('gauth', { cred: 'owner' });
    await probe.request('p', { p: '/probe', d: { ok: true } });
    await probe.request('p', { p: '/producerAccess/mallory/c1', d: true });
    const attacker = await RawConn.open(port, NS);
    // Any rules check builds the server's rules mirror, as connected users do in practice.
    await attacker.request('g', { p: '/vmPool/config', q: {} });
    if (attack.auth !== null) await attacker.request(attack.auth.a, { cred: attack.auth.cred });
    const data = attack.data();
    const bytes = JSON.stringify(data).length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = processMemoryMb(pid);

    let attacking = true;
    const latencies: number[] = [];
    const probing = (async () => {
      while (attacking) {
        const t0 = performance.now();
        await probe.request('g', { p: '/probe', q: {} });
        latencies.push(performance.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const cpu0 = cpuMs(pid);
    const t0 = performance.now();
    const reply = await attacker.request(attack.action, { p: attack.path, d: data });
    const replyMs = performance.now() - t0;
    // Let the probe see the tail of the work (pushes, garbage collection).
    await new Promise((resolve) => setTimeout(resolve, 500));
    attacking = false;
    await probing;
    const after = processMemoryMb(pid);
    const serverCpuMs = cpuMs(pid) - cpu0;
    probe.close();
    attacker.close();
    return {
      name: attack.name,
      bytes,
      reply: reply.s,
      replyMs,
      worstOtherReadMs: Math.max(...latencies),
      otherReads: latencies.length,
      rssBeforeMb: before.rss,
      rssPeakMb: after.peak,
      serverCpuMs,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

export function formatAttack(f: AttackFigures): string {
  const kib =
    f.bytes >= 1048576
      ? `${(f.bytes / 1048576).toFixed(1)} MiB`
      : `${Math.round(f.bytes / 1024)} KiB`;
  return (
    `attack: ${f.name} (${kib}): answered "${f.reply}" after ${f.replyMs.toFixed(0)} ms; ` +
    `worst read of another client ${f.worstOtherReadMs.toFixed(0)} ms (${f.otherReads} reads); ` +
    `server CPU ${f.serverCpuMs.toFixed(0)} ms (probe reads included); ` +
    `server RSS ${f.rssBeforeMb.toFixed(0)} MB -> peak ${f.rssPeakMb.toFixed(0)} MB`
  );
}

export async function runAttacks(cli = RTDB_CLI): Promise<AttackFigures[]> {
  const figures: AttackFigures[] = [];
  console.log(
    `attacks: load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the start`,
  );
  for (const attack of ATTACKS) {
    const f = await runOne(cli, attack);
    console.log(formatAttack(f));
    figures.push(f);
  }
  return figures;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const cpu = cpus();
  console.log(
    `machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}`,
  );
  runAttacks(process.argv[2]).then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
