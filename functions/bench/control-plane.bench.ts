/**
 * Control-plane benchmark (npm run bench:control-plane):
 * 1. warm assigns, 20 producers at once, on the local RTDB server through the local functions
 *    host: latency from the request write to its result, and to the competition config;
 * 2. compute API calls per reconcile at 10, 100 and 1000 VMs on the in-memory cloud (and at
 *    10 and 100 on moto through the real EC2 adapter when moto_server is installed).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import {
  getDatabase as getAdminDatabase,
  type Database as AdminDatabase,
} from 'firebase-admin/database';
import { deleteApp as deleteWebApp, initializeApp as initializeWebApp } from 'firebase/app';
import { getDatabase, onValue, push, ref, serverTimestamp, set } from 'firebase/database';
import { EC2Client, DescribeImagesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { memoryLogger } from '@vmpool/core/ports';
import { paths } from '@vmpool/core';
import { startRtdbServer, type RtdbServer } from '@vmpool/local/rtdb';
import { MemoryCompute } from '../src/adapters/memory';
import { AwsCallCounter } from '../src/adapters/aws/call-counter';
import { createEc2Compute } from '../src/adapters/aws/ec2-compute';
import { DEFAULT_CONTROL_PLANE_CONFIG } from '../src/config/control-plane-config';
import { startLocalFunctionsHost } from '../src/host';
import { createRtdbPoolStore } from '../src/store/rtdb-pool-store';
import { toRtdbValue } from '../src/store/rtdb-values';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import type { UseCaseDeps } from '../src/usecases/deps';
import { newVmRecord } from '../src/usecases/shared/vm-changes';
import { MOTO_CREDENTIALS, startMoto } from '../tests/support/moto';
import type { ComputePort } from '@vmpool/core/ports';

const POOL_TAGS = { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' };
const PRODUCERS = 20;
const ROUNDS = 5;
const allow = { isAdmin: async () => true, revokeAgentSessions: async () => {} };
let namespaces = 0;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? NaN;
}

function adminDb(rtdb: RtdbServer): { app: App; db: AdminDatabase; url: string; ns: string } {
  namespaces += 1;
  const ns = `bench-${process.pid}-${namespaces}`;
  const url = rtdb.databaseUrl(ns);
  const app = initializeApp({ databaseURL: url, projectId: ns }, ns);
  return { app, db: getAdminDatabase(app), url, ns };
}

async function seedWarmPool(db: AdminDatabase, compute: MemoryCompute, now: number) {
  await db.ref(paths.poolConfig()).set({
    minWarmVMs: 0,
    maxTotalVMs: PRODUCERS,
    maxConcurrent: PRODUCERS,
    autoStopAfterHours: 0,
  });
  const updates: Record<string, unknown> = {};
  for (let n = 1; n <= PRODUCERS; n += 1) {
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
      agent: {
        online: true,
        lastSeen: now,
        startedAt: now,
        services: { showServer: { state: 'up', checkedAt: now } },
      },
    };
    updates[paths.competitionConfig(`meet-${n}`)] = { eventName: `Meet ${n}` };
  }
  await db.ref().update(updates);
}

async function warmAssignRound(rtdb: RtdbServer) {
  const { app, db, url } = adminDb(rtdb);
  const compute = new MemoryCompute({ clock: { now: () => Date.now() } });
  await seedWarmPool(db, compute, Date.now());
  const host = await startLocalFunctionsHost({
    databaseUrl: url,
    compute,
    access: allow,
    logger: memoryLogger(),
    reconcileIntervalMs: 0,
  });
  const clients = Array.from({ length: PRODUCERS }, (_, i) =>
    initializeWebApp({ databaseURL: url, projectId: 'bench' }, `producer-${namespaces}-${i}`),
  );
  // Connect every producer first, as open browser tabs would be.
  await Promise.all(
    clients.map((client) => set(ref(getDatabase(client), `bench/warm/${client.name}`), true)),
  );
  const samples = await Promise.all(
    clients.map(
      (client, i) =>
        new Promise<{ result: number; config: number }>((resolve, reject) => {
          const web = getDatabase(client);
          const competitionId = `meet-${i + 1}`;
          const requestRef = push(ref(web, paths.requests()));
          let resultAt: number | null = null;
          let configAt: number | null = null;
          const t0 = performance.now();
          const done = () => {
            if (resultAt !== null && configAt !== null) {
              stopResult();
              stopConfig();
              resolve({ result: resultAt - t0, config: configAt - t0 });
            }
          };
          const stopResult = onValue(
            ref(web, `${paths.request(requestRef.key ?? '')}/result/state`),
            (snap) => {
              if (snap.val() === 'succeeded') resultAt ??= performance.now();
              if (snap.val() === 'failed') reject(new Error(`assign for ${competitionId} failed`));
              done();
            },
          );
          const stopConfig = onValue(
            ref(web, `${paths.competitionConfig(competitionId)}/vmId`),
            (snap) => {
              if (typeof snap.val() === 'string') configAt ??= performance.now();
              done();
            },
          );
          void set(requestRef, {
            action: 'assign',
            competitionId,
            requestedBy: `producer-${i}`,
            requestedAt: serverTimestamp(),
          });
        }),
    ),
  );
  await Promise.all(clients.map((client) => deleteWebApp(client)));
  await host.stop();
  await deleteApp(app);
  return samples;
}

async function benchWarmAssign(rtdb: RtdbServer) {
  const results: number[] = [];
  const configs: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const sample of await warmAssignRound(rtdb)) {
      results.push(sample.result);
      configs.push(sample.config);
    }
  }
  results.sort((a, b) => a - b);
  configs.sort((a, b) => a - b);
  const line = (name: string, values: number[]) =>
    `  ${name.padEnd(28)} p50 ${percentile(values, 50).toFixed(1).padStart(7)} ms   p99 ${percentile(values, 99).toFixed(1).padStart(7)} ms   max ${(values.at(-1) ?? NaN).toFixed(1).padStart(7)} ms`;
  console.log(
    `\nWarm assign, ${PRODUCERS} producers at once, ${ROUNDS} rounds (${results.length} requests), local RTDB + local functions host:`,
  );
  console.log(line('request write -> result', results));
  console.log(line('request write -> comp config', configs));
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
    access: allow,
    clock: { now: () => Date.now() },
    logger: memoryLogger(),
    settings: { ...DEFAULT_CONTROL_PLANE_CONFIG, extraRegions },
  };
}

async function benchReconcileMemory(rtdb: RtdbServer) {
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

async function benchReconcileMoto(rtdb: RtdbServer) {
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
  const rtdb = await startRtdbServer({ port: 0, quiet: true });
  try {
    await benchWarmAssign(rtdb);
    await benchReconcileMemory(rtdb);
    await benchReconcileMoto(rtdb);
  } finally {
    await rtdb.stop();
  }
}

await main();
process.exit(0);
