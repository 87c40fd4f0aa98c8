// `npm run bench:agent [-- --minutes 10 --warmup-seconds 60]`
// Runs the bundled agent (as on a VM) at default intervals against the local RTDB server and
// the stand-in show server, and measures: RSS and CPU of the agent process over the window,
// database bytes written per VM-hour at steady state (at a byte-counting TCP proxy), and how
// fast presence flips after a SIGKILL. Aims: <= 60 MB RSS, < 1% of one core, < 200 kB/VM-hour.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getDatabase } from 'firebase-admin/database';
import { startRtdbServer } from '@vmpool/local/rtdb';
import { startShowServer } from '@vmpool/local/show-server';
import { startCountingProxy } from './byte-counting-proxy';
import { sampleProcess, type ProcessSample } from './process-sampler';

const AGENT_NODE_FLAGS = [
  '--max-semi-space-size=1',
  '--max-old-space-size=24',
  '--single-threaded',
];

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'warmup-seconds': { type: 'string', default: '60' },
    'sample-seconds': { type: 'string', default: '5' },
    // The flags the systemd unit (ami/systemd/vmpool-agent.service) starts node with.
    'node-flags': { type: 'string', default: AGENT_NODE_FLAGS.join(' ') },
  },
});
const minutes = Number(values.minutes);
const warmupSeconds = Number(values['warmup-seconds']);
const sampleSeconds = Number(values['sample-seconds']);
const problems = [
  !(minutes > 0) && '--minutes must be a positive number',
  !(warmupSeconds >= 0) && '--warmup-seconds must be >= 0',
  !(sampleSeconds > 0) && '--sample-seconds must be positive',
].filter(Boolean);
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(2);
}

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const bundle = join(root, 'agent/dist/agent.mjs');
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function buildBundle(): Promise<void> {
  const child = spawn(process.execPath, ['build.mjs'], {
    cwd: join(root, 'agent'),
    stdio: 'inherit',
  });
  const code = await new Promise((done) => child.once('exit', done));
  if (code !== 0 || !existsSync(bundle)) throw new Error('agent bundle build failed');
}

await buildBundle();
const rtdb = await startRtdbServer({
  port: 0,
  rules: join(root, 'database.rules.json'),
  quiet: true,
});
const show = await startShowServer({ port: 0 });
const proxy = await startCountingProxy(rtdb.port);
const ns = 'bench-agent';
const app = initializeApp(
  { databaseURL: rtdb.databaseUrl(ns), projectId: 'demo-vmpool' },
  'bench-control-plane',
);
const admin = getDatabase(app);
const vmId = 'vm-bench';
await admin
  .ref(`vmPool/vms/${vmId}`)
  .set({ vmId, instanceId: `local-${vmId}`, region: 'local', status: 'available' });
const tmp = await mkdtemp(join(tmpdir(), 'vmpool-agent-bench-'));

const agent = spawn(
  process.execPath,
  [
    ...values['node-flags'].split(' ').filter(Boolean),
    bundle,
    '--local',
    '--vm-id',
    vmId,
    '--database-url',
    `http://127.0.0.1:${proxy.port}?ns=${ns}`,
    '--show-server',
    show.url,
    '--state-dir',
    join(tmp, 'state'),
    '--vm-dir',
    join(tmp, 'vm'),
    '--log-level',
    'warn',
  ],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
const pid = agent.pid;
if (pid === undefined) throw new Error('agent did not start');

const online = () =>
  new Promise<void>((done) => {
    const ref = admin.ref(`vmPool/vms/${vmId}/agent/online`);
    const listener = ref.on('value', (snapshot) => {
      if (snapshot.val() === true) {
        ref.off('value', listener);
        done();
      }
    });
  });
await online();
console.log(
  `agent registered; warming up ${warmupSeconds} s, then measuring ${minutes} min at default intervals`,
);
await sleep(warmupSeconds * 1000);

const samples: ProcessSample[] = [sampleProcess(pid)];
const bytesAtStart = proxy.bytesUp();
const bytesDownAtStart = proxy.bytesDown();
const windowMs = minutes * 60_000;
const startedAt = performance.now();
while (performance.now() - startedAt < windowMs) {
  await sleep(Math.min(sampleSeconds * 1000, windowMs - (performance.now() - startedAt)));
  samples.push(sampleProcess(pid));
}
const first = samples[0] as ProcessSample;
const last = samples[samples.length - 1] as ProcessSample;
const elapsedSeconds = (last.at - first.at) / 1000;
const cpuPercent = ((last.cpuSeconds - first.cpuSeconds) / elapsedSeconds) * 100;
const rss = samples.map((sample) => sample.rssMb);
const privateMb = samples.map((sample) => sample.privateMb);
const bytesUp = proxy.bytesUp() - bytesAtStart;
const bytesDown = proxy.bytesDown() - bytesDownAtStart;
const perHour = (bytes: number) => (bytes / elapsedSeconds) * 3600;

// Presence: how long until the database says offline after the agent process dies.
const flipped = new Promise<number>((done) => {
  const ref = admin.ref(`vmPool/vms/${vmId}/agent/online`);
  let killedAt = 0;
  const listener = ref.on('value', (snapshot) => {
    if (killedAt > 0 && snapshot.val() === false) {
      ref.off('value', listener);
      done(performance.now() - killedAt);
    }
  });
  setTimeout(() => {
    killedAt = performance.now();
    agent.kill('SIGKILL');
  }, 500);
});
const presenceFlipMs = await flipped;

const result = {
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
  },
  windowMinutes: Number((elapsedSeconds / 60).toFixed(2)),
  intervals: 'defaults: probes 10 s, metrics 30 s, heartbeat 20 s',
  nodeFlags: values['node-flags'],
  rssMb: {
    max: Number(Math.max(...rss).toFixed(1)),
    mean: Number((rss.reduce((a, b) => a + b, 0) / rss.length).toFixed(1)),
  },
  privateMb: { max: Number(Math.max(...privateMb).toFixed(1)) },
  cpuPercentOfOneCore: Number(cpuPercent.toFixed(3)),
  databaseBytesWrittenPerVmHour: Math.round(perHour(bytesUp)),
  databaseBytesReceivedPerVmHour: Math.round(perHour(bytesDown)),
  presenceFlipAfterSigkillMs: Math.round(presenceFlipMs),
  aims: { rssMb: 60, cpuPercent: 1, bytesWrittenPerVmHour: 200_000, presenceFlipMs: 2000 },
};
console.log(JSON.stringify(result, null, 2));
const verdicts = [
  ['RSS max <= 60 MB', result.rssMb.max <= 60],
  ['CPU < 1% of one core', result.cpuPercentOfOneCore < 1],
  ['written < 200 kB per VM-hour', result.databaseBytesWrittenPerVmHour < 200_000],
  ['presence flips within 2 s', result.presenceFlipAfterSigkillMs <= 2000],
] as const;
for (const [aim, met] of verdicts) console.log(`${met ? 'MET   ' : 'MISSED'} ${aim}`);

await deleteApp(app);
await proxy.close();
await show.stop();
await rtdb.stop();
await rm(tmp, { recursive: true, force: true });
process.exit(0);
