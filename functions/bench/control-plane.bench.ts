/**
 * Control-plane benchmark (npm run bench:control-plane):
 * 1. warm assigns, 20 producers at once over 20 warm VMs, then 100 at once over 100, on the
 *    local RTDB server through the local functions host: latency from the request write to its
 *    result, and to the competition config; at 100 VMs also the bytes the control plane read
 *    from RTDB per assign (its use cases' connection runs through a byte-counting proxy, in a
 *    process of its own: op-counter-process.ts);
 * 2. compute API calls per reconcile at 10, 100 and 1000 VMs on the in-memory cloud (and at
 *    10 and 100 on moto through the real EC2 adapter when moto_server is installed).
 *
 * Where things run, as in `npm start` and production: the RTDB server in its own process
 * (startRtdbServerProcess, as the stack runs it), the functions host (and the reconciles) in
 * this one, and the producers' web SDK clients in a third (producers-process.ts, where their
 * latencies are measured), so that the producers do not take the control plane's CPU.
 */
import { writeFile } from 'node:fs/promises';
import inspector from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import {
  getDatabase as getAdminDatabase,
  type Database as AdminDatabase,
} from 'firebase-admin/database';
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EC2Client, DescribeImagesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { memoryLogger } from '@vmpool/core/ports';
import { paths } from '@vmpool/core';
import { startRtdbServerProcess, type RtdbServerProcess } from '@vmpool/local/rtdb';
import { MemoryCompute } from '../src/adapters/memory';
import { AwsCallCounter } from '../src/adapters/aws/call-counter';
import { createHttpShowProbe } from '../src/adapters/http/show-probe';
import { createEc2Compute } from '../src/adapters/aws/ec2-compute';
import { DEFAULT_CONTROL_PLANE_CONFIG } from '../src/config/control-plane-config';
import { startLocalFunctionsHost, type LocalFunctionsHost } from '../src/host';
import { createRtdbPoolStore } from '../src/store/rtdb-pool-store';
import { toRtdbValue } from '../src/store/rtdb-values';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import type { UseCaseDeps } from '../src/usecases/deps';
import { newVmRecord } from '../src/usecases/shared/vm-changes';
import { MOTO_CREDENTIALS, startMoto } from '../tests/support/moto';
import { startOpCountingProxy, type OpCounts } from './rtdb-op-counter';
import type { ComputePort } from '@vmpool/core/ports';
import type { ProducersCall, ProducersReply, Sample } from './producers-process';
import type { OpCounterCall } from './op-counter-process';

const POOL_TAGS = { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' };
/** Each section: producers assigning at once, over as many warm VMs, for some rounds. */
const DEFAULT_SECTIONS = [
  { producers: 20, rounds: 5 },
  { producers: 100, rounds: 3 },
] as const;
/**
 * `--assign-only`: the warm assign sections alone; `--producers 1,20` (with `--rounds N`):
 * other sections than the default ones, e.g. a lone assign, for profiling.
 */
function benchOptions(argv: readonly string[]) {
  const value = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const counts = value('--producers')?.split(',').map(Number);
  const rounds = value('--rounds') === undefined ? null : Number(value('--rounds'));
  if (counts?.some((n) => !Number.isInteger(n) || n < 1) || (rounds !== null && !(rounds >= 1))) {
    throw new Error('--producers takes whole numbers above 0 (e.g. 1,20), --rounds one');
  }
  return {
    assignOnly: argv.includes('--assign-only'),
    sections:
      counts?.map((producers) => ({ producers, rounds: rounds ?? 3 })) ??
      DEFAULT_SECTIONS.map((section) => ({ ...section, rounds: rounds ?? section.rounds })),
  };
}
const allow = { isAdmin: async () => true, revokeAgentSessions: async () => {} };
let namespaces = 0;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? NaN;
}

function adminDb(rtdb: RtdbServerProcess): {
  app: App;
  db: AdminDatabase;
  url: string;
  ns: string;
} {
  namespaces += 1;
  const ns = `bench-${process.pid}-${namespaces}`;
  const url = rtdb.databaseUrl(ns);
  const app = initializeApp({ databaseURL: url, projectId: ns }, ns);
  return { app, db: getAdminDatabase(app), url, ns };
}

/** What a quiet agent has reported: every service, the show, the stream and OBS. */
function agentState(now: number, vmId: string) {
  const service = (port?: number) => ({
    state: 'up',
    checkedAt: now,
    ...(port === undefined ? {} : { port, latencyMs: 2 }),
  });
  return {
    online: true,
    lastSeen: now,
    bootId: `boot-${vmId}`,
    version: '0.1.0',
    startedAt: now,
    instanceId: `i-${vmId}`,
    region: 'us-east-1',
    availabilityZone: 'us-east-1a',
    instanceType: 't3.large',
    publicIp: '203.0.113.10',
    privateIp: '10.0.1.10',
    services: {
      showServer: service(3003),
      obsWebsocket: service(4455),
      obs: service(),
      nimble: service(8080),
      noMachine: service(4000),
      discord: service(),
      xvfb: service(),
    },
    show: {
      reachable: true,
      obsConnected: true,
      obsIsStreaming: false,
      obsIsRecording: false,
      obsCurrentScene: 'Starting Soon',
      connectedClients: 1,
      latencyMs: 3,
      checkedAt: now,
    },
    stream: {
      active: false,
      reconnecting: false,
      bitrateKbps: 0,
      droppedFramesPercent: 0,
      congestion: 0,
      durationSeconds: 0,
      checkedAt: now,
    },
    obs: {
      connected: true,
      version: '29.0.2',
      activeFps: 30,
      renderSkippedFramesPercent: 0,
      cpuUsage: 4.2,
      memoryMb: 380,
      currentScene: 'Starting Soon',
      recording: false,
      checkedAt: now,
    },
  };
}

function metrics(now: number) {
  return {
    cpuPercent: 7.5,
    load1: 0.31,
    memUsedPercent: 38.2,
    memUsedMb: 3020,
    memTotalMb: 7900,
    diskUsedPercent: 41.7,
    netRxBps: 10240,
    netTxBps: 20480,
    uptimeSeconds: 5400,
    sampledAt: now,
  };
}

async function seedWarmPool(db: AdminDatabase, compute: MemoryCompute, now: number, size: number) {
  await db.ref(paths.poolConfig()).set({
    minWarmVMs: 0,
    maxTotalVMs: size,
    maxConcurrent: size,
    autoStopAfterHours: 0,
  });
  const updates: Record<string, unknown> = {};
  for (let n = 1; n <= size; n += 1) {
    const vmId = `vm-${String(n).padStart(3, '0')}`;
    const instance = compute.seed({
      region: 'us-east-1',
      state: 'running',
      tags: { ...POOL_TAGS, VmId: vmId },
    });
    const { agent: _agent, ...record } = {
      ...newVmRecord({
        vmId,
        instanceId: instance.instanceId,
        region: 'us-east-1',
        status: 'available',
        now,
        reason: 'bench',
        ec2State: 'running',
        publicIp: instance.publicIp,
      }),
      healthStatus: 'healthy' as const,
    };
    updates[paths.vm(vmId)] = {
      ...(toRtdbValue(record) as Record<string, unknown>),
      agent: agentState(now, vmId),
    };
    // Heartbeat and metrics, where the agent writes them (vmPool/pulse, docs/contract.md).
    updates[paths.vmPulse(vmId)] = { bootId: `boot-${vmId}`, lastSeen: now, metrics: metrics(now) };
    updates[paths.competitionConfig(`meet-${n}`)] = { eventName: `Meet ${n}` };
  }
  await db.ref().update(updates);
}

/** The producers' process (producers-process.ts): opens web SDK clients, requests assigns. */
interface Producers {
  call(call: ProducersCall): Promise<unknown>;
  stop(): Promise<void>;
}

function startProducers(): Producers {
  return forkBenchProcess<ProducersCall>('./producers-process.ts', 'the producers');
}

/** A bench child process (run by tsx) answering calls by id over IPC. */
function forkBenchProcess<Call>(file: string, name: string) {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), [], {
    execArgv: ['--import', tsx],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const pending = new Map<number, (reply: ProducersReply) => void>();
  let nextId = 0;
  child.on('message', (raw) => {
    const reply = raw as ProducersReply;
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    for (const answer of pending.values()) answer({ id: -1, error: `${name} exited` });
  });
  return {
    call: (call: Call) =>
      new Promise<unknown>((resolve, reject) => {
        const id = ++nextId;
        pending.set(id, (reply) =>
          reply.error === undefined ? resolve(reply.value) : reject(new Error(reply.error)),
        );
        child.send({ id, call });
      }),
    stop: async () => {
      child.disconnect();
      await exited;
    },
  };
}

/**
 * Issue 17: the op-counting proxy in its own process (op-counter-process.ts), so that the
 * host's CPU figures are the control plane's alone.
 */
interface OpCounter {
  start(serverPort: number, log?: boolean): Promise<CountingProxy>;
  stop(): Promise<void>;
}
interface CountingProxy {
  port: number;
  counts(): Promise<OpCounts>;
  close(): Promise<void>;
}

function startOpCounter(): OpCounter {
  const child = forkBenchProcess<OpCounterCall>('./op-counter-process.ts', 'the op counter');
  return {
    async start(serverPort, log = false) {
      const { proxy, port } = (await child.call({ kind: 'start', serverPort, log })) as {
        proxy: number;
        port: number;
      };
      return {
        port,
        counts: async () => (await child.call({ kind: 'counts', proxy })) as OpCounts,
        close: async () => {
          await child.call({ kind: 'close', proxy });
        },
      };
    },
    stop: () => child.stop(),
  };
}

interface RoundResult {
  samples: { result: number; config: number }[];
  /** Bytes the control plane's use cases received from RTDB during the round. */
  bytesRead: number;
  /** What the control plane's use cases asked RTDB for during the round. */
  ops: OpCounts;
  /** CPU time of this process (the functions host; the server and producers run apart) during the round. */
  cpuMs: number;
}

/**
 * BENCH_CPU_PROFILE=dir: a CPU profile of each round's assigns alone (from the first request
 * write until the host is idle), as dir/assign-<producers>-<round>.cpuprofile.
 */
async function startProfile(): Promise<{ stop(name: string): Promise<void> }> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (dir === undefined || dir === '') return { stop: async () => {} };
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(name) {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(path.join(dir, `assign-${name}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** Waits for the host's first delivery of each VM's agent report to finish (bounded). */
async function settleStartup(host: LocalFunctionsHost, vms: number): Promise<void> {
  const until = performance.now() + 30_000;
  while ((host.invocations().onAgentWritten ?? 0) < vms && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await host.idle();
}

async function warmAssignRound(
  rtdb: RtdbServerProcess,
  crowd: Producers,
  counter: OpCounter,
  producers: number,
): Promise<RoundResult> {
  const { app, db, url, ns } = adminDb(rtdb);
  const compute = new MemoryCompute({ clock: { now: () => Date.now() } });
  await seedWarmPool(db, compute, Date.now(), producers);
  // A reconcile has run since the deploy, as in a running pool (it writes the allocation index).
  await reconcile(reconcileDeps(db, compute, []));
  // BENCH_RTDB_LOG=1: every request the control plane sends, as it goes (for profiling).
  const proxy = await counter.start(rtdb.port, process.env.BENCH_RTDB_LOG === '1');
  const host = await startLocalFunctionsHost({
    databaseUrl: url,
    useCaseDatabaseUrl: `http://127.0.0.1:${proxy.port}?ns=${ns}`,
    compute,
    access: allow,
    logger: memoryLogger(),
    reconcileIntervalMs: 0,
  });
  // Connect every producer first, as open browser tabs would be.
  await crowd.call({ kind: 'connect', url, count: producers, round: String(namespaces) });
  // The host delivers every VM's agent report once when it starts (at-least-once): a running
  // pool is past that, so the assigns start once those deliveries are done.
  await settleStartup(host, producers);
  const profiling = await startProfile();
  const before = await proxy.counts();
  const cpuBefore = process.cpuUsage();
  const samples = (await crowd.call({ kind: 'assign' })) as Sample[];
  await host.idle();
  const cpu = process.cpuUsage(cpuBefore);
  await profiling.stop(`${producers}-${namespaces}`);
  const after = await proxy.counts();
  const ops = Object.fromEntries(
    Object.entries(after).map(([kind, count]) => [kind, count - before[kind as keyof OpCounts]]),
  ) as unknown as OpCounts;
  // No double links: every competition holds one VM, every VM serves one competition.
  const vms = ((await db.ref(paths.vms()).get()).val() ?? {}) as Record<
    string,
    { assignedTo?: string }
  >;
  const holders = Object.values(vms)
    .map((vm) => vm.assignedTo)
    .filter((id): id is string => typeof id === 'string');
  if (holders.length !== producers || new Set(holders).size !== producers) {
    throw new Error(
      `double or missing links: ${holders.length} VMs held by ${new Set(holders).size} competitions`,
    );
  }
  await crowd.call({ kind: 'close' });
  await host.stop();
  await proxy.close();
  await deleteApp(app);
  return { samples, bytesRead: ops.bytesDown, ops, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function benchWarmAssign(
  rtdb: RtdbServerProcess,
  crowd: Producers,
  counter: OpCounter,
  producers: number,
  rounds: number,
) {
  const results: number[] = [];
  const configs: number[] = [];
  let bytesRead = 0;
  const ops: Record<string, number> = {};
  const cpuMs: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const outcome = await warmAssignRound(rtdb, crowd, counter, producers);
    bytesRead += outcome.bytesRead;
    cpuMs.push(outcome.cpuMs / producers);
    for (const [kind, count] of Object.entries(outcome.ops)) ops[kind] = (ops[kind] ?? 0) + count;
    for (const sample of outcome.samples) {
      results.push(sample.result);
      configs.push(sample.config);
    }
  }
  results.sort((a, b) => a - b);
  configs.sort((a, b) => a - b);
  const line = (name: string, values: number[]) =>
    `  ${name.padEnd(28)} p50 ${percentile(values, 50).toFixed(1).padStart(7)} ms   p99 ${percentile(values, 99).toFixed(1).padStart(7)} ms   max ${(values.at(-1) ?? NaN).toFixed(1).padStart(7)} ms`;
  console.log(
    `\nWarm assign, ${producers} producers at once, ${rounds} rounds (${results.length} requests), local RTDB + local functions host:`,
  );
  console.log(line('request write -> result', results));
  console.log(line('request write -> comp config', configs));
  console.log(
    `  bytes read from RTDB per assign at ${producers} VMs: ${Math.round(bytesRead / results.length)} (the control plane's connection, on the wire)`,
  );
  const per = (kind: string) => ((ops[kind] ?? 0) / results.length).toFixed(1);
  const kinds = ['transaction', 'update', 'set', 'get', 'listen'] as const;
  const total = kinds.reduce((sum, kind) => sum + (ops[kind] ?? 0), 0);
  console.log(
    `  RTDB operations per assign: ${(total / results.length).toFixed(1)} (transaction attempts ${per('transaction')}, updates ${per('update')}, sets ${per('set')}, gets ${per('get')}, listens ${per('listen')}; pushes received ${per('pushes')})`,
  );
  console.log(
    `  CPU per assign in the functions host process, by round: ${cpuMs.map((ms) => ms.toFixed(1)).join(', ')} ms`,
  );
  console.log(
    `  load: ${os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')} (1, 5, 15 min)`,
  );
}

/** One read of the whole vmPool/vms at 100 VMs, as every assign attempt made before issue 17. */
async function benchFullPoolRead(rtdb: RtdbServerProcess, size: number) {
  const { app, db, ns } = adminDb(rtdb);
  const compute = new MemoryCompute({ clock: { now: () => Date.now() } });
  const now = Date.now();
  await seedWarmPool(db, compute, now, size);
  // The earlier layout: metrics (and the heartbeat) inside each VM's agent report.
  const updates: Record<string, unknown> = {};
  for (let n = 1; n <= size; n += 1) {
    const vmId = `vm-${String(n).padStart(3, '0')}`;
    updates[`${paths.vmAgent(vmId)}/metrics`] = metrics(now);
  }
  await db.ref().update(updates);
  const proxy = await startOpCountingProxy(rtdb.port);
  const reader = initializeApp(
    { databaseURL: `http://127.0.0.1:${proxy.port}?ns=${ns}`, projectId: ns },
    `${ns}-reader`,
  );
  const readerDb = getAdminDatabase(reader);
  await readerDb.ref(paths.poolConfig()).get();
  const before = proxy.counts().bytesDown;
  await readerDb.ref(paths.vms()).get();
  console.log(
    `  for comparison: one read of all of vmPool/vms at ${size} VMs with metrics in each agent report (every attempt of an assign before issue 17): ${proxy.counts().bytesDown - before} bytes`,
  );
  await deleteApp(reader);
  await proxy.close();
  await deleteApp(app);
}

function reconcileDeps(
  db: AdminDatabase,
  compute: ComputePort,
  extraRegions: string[],
): UseCaseDeps {
  return {
    store: createRtdbPoolStore(db, { now: () => Date.now() }),
    compute,
    remoteExec: null,
    showProbe: createHttpShowProbe(),
    access: allow,
    clock: { now: () => Date.now() },
    logger: memoryLogger(),
    settings: { ...DEFAULT_CONTROL_PLANE_CONFIG, extraRegions },
  };
}

async function benchReconcileMemory(rtdb: RtdbServerProcess) {
  console.log('\nCompute API calls per reconcile, in-memory cloud (2 regions, VMs split evenly):');
  console.log(
    '  VMs    adoption round: calls (describe)   steady round: calls (describe, pages)   steady time',
  );
  for (const size of [10, 100, 1000]) {
    const { app, db } = adminDb(rtdb);
    await db
      .ref(paths.poolConfig())
      .set({ minWarmVMs: 0, autoStopAfterHours: 0, agentStaleSeconds: 900 });
    const compute = new MemoryCompute({ clock: { now: () => Date.now() } });
    for (let n = 0; n < size; n += 1) {
      const region = n % 2 === 0 ? 'us-east-1' : 'eu-west-1';
      compute.seed({
        region,
        state: 'stopped',
        tags: { ...POOL_TAGS, VmId: `vm-${String(n + 1).padStart(4, '0')}` },
      });
    }
    const deps = reconcileDeps(db, compute, ['eu-west-1']);
    await reconcile(deps);
    const adoption = { calls: compute.totalCalls(), describe: compute.calls.describePoolInstances };
    compute.resetCalls();
    const t0 = performance.now();
    await reconcile(deps);
    const elapsed = performance.now() - t0;
    console.log(
      `  ${String(size).padStart(4)}   ${String(adoption.calls).padStart(5)} (${adoption.describe})                       ${String(compute.totalCalls()).padStart(5)} (${compute.calls.describePoolInstances}, ${compute.describePages})                          ${elapsed.toFixed(0)} ms`,
    );
    await deleteApp(app);
  }
}

async function benchReconcileMoto(rtdb: RtdbServerProcess) {
  let moto;
  try {
    moto = await startMoto();
  } catch (error) {
    console.log(`\nmoto: skipped (${String(error).split('\n')[0]})`);
    return;
  }
  try {
    console.log(
      '\nEC2 API calls per reconcile, EC2 adapter on moto (1 region, DescribeInstances pages of 1000):',
    );
    console.log('  VMs    steady round: EC2 calls (by operation)');
    const raw = new EC2Client({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    const images = await raw.send(new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 5 }));
    const amiId = images.Images?.[0]?.ImageId ?? '';
    for (const size of [10, 100]) {
      await moto.reset();
      await raw.send(
        new RunInstancesCommand({
          ImageId: amiId,
          InstanceType: 't3.large',
          MinCount: size,
          MaxCount: size,
          TagSpecifications: [
            {
              ResourceType: 'instance',
              Tags: Object.entries(POOL_TAGS).map(([Key, Value]) => ({ Key, Value })),
            },
          ],
        }),
      );
      const counter = new AwsCallCounter();
      const compute = createEc2Compute({
        endpoint: moto.endpoint,
        credentials: MOTO_CREDENTIALS,
        callCounter: counter,
      });
      const { app, db } = adminDb(rtdb);
      await db
        .ref(paths.poolConfig())
        .set({ minWarmVMs: 0, autoStopAfterHours: 0, agentStaleSeconds: 900 });
      const deps = reconcileDeps(db, compute, []);
      await reconcile(deps);
      counter.reset();
      await reconcile(deps);
      const byOperation = [...counter.calls.entries()]
        .map(([name, count]) => `${name} ${count}`)
        .join(', ');
      console.log(`  ${String(size).padStart(4)}   ${counter.total()} (${byOperation})`);
      await deleteApp(app);
    }
    raw.destroy();
  } finally {
    await moto.stop();
  }
}

async function main() {
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus[0]?.model ?? 'unknown'} x${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`,
  );
  const options = benchOptions(process.argv.slice(2));
  const rtdb = await startRtdbServerProcess({ port: 0, quiet: true });
  const crowd = startProducers();
  const counter = startOpCounter();
  try {
    for (const { producers, rounds } of options.sections) {
      await benchWarmAssign(rtdb, crowd, counter, producers, rounds);
    }
    if (options.assignOnly) return;
    await benchFullPoolRead(rtdb, 100);
    await benchReconcileMemory(rtdb);
    await benchReconcileMoto(rtdb);
  } finally {
    await crowd.stop();
    await counter.stop();
    await rtdb.stop();
  }
}

await main();
process.exit(0);
