import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getDatabase } from 'firebase-admin/database';
import { paths } from '@vmpool/core';
import type { RtdbServer } from '@vmpool/local/rtdb';
import { MemoryCompute } from '../src/adapters/memory';
import { handleRequest } from '../src/usecases/requests/handle-request';
import type { UseCaseDeps } from '../src/usecases/deps';
import { testDeps } from './support/deps';
import { addCompetition, readResult, request, seedVm, writeConfig } from './support/fixtures';
import { poolProblems } from './support/invariants';
import { freshAdminDb, releaseRtdb, sharedRtdb, type AdminDb } from './support/rtdb';

// Cloud Functions runs many instances, each with its own connection: transactions then really
// conflict on the server. Five admin apps stand for five function instances.
const INSTANCES = 5;
let rtdb: RtdbServer;
let seedDb: AdminDb;
const instances: AdminDb[] = [];

beforeAll(async () => {
  rtdb = await sharedRtdb();
  seedDb = await freshAdminDb(rtdb);
  for (let i = 0; i < INSTANCES; i += 1) {
    const app = initializeApp({ databaseURL: seedDb.databaseUrl }, `${seedDb.ns}-instance-${i}`);
    instances.push({
      app,
      db: getDatabase(app),
      databaseUrl: seedDb.databaseUrl,
      ns: seedDb.ns,
      close: () => deleteApp(app),
    });
  }
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.close()));
  await seedDb.close();
  await releaseRtdb();
});

describe('assigns handled by several function instances at once', () => {
  it('30 assigns over 10 warm VMs from 5 connections: 10 distinct winners, nothing double-linked', async () => {
    const clock = { now: () => Date.now() };
    const compute = new MemoryCompute({ clock });
    await writeConfig(seedDb.db, { minWarmVMs: 0, maxTotalVMs: 10, maxConcurrent: 10 });
    for (let n = 1; n <= 10; n += 1) {
      await seedVm(seedDb.db, compute, `vm-${String(n).padStart(3, '0')}`, 'available', Date.now());
    }
    const requests: [string, Record<string, unknown>][] = [];
    for (let n = 1; n <= 30; n += 1) {
      await addCompetition(seedDb.db, `meet-${n}`);
      requests.push([`req-${n}`, request('assign', { competitionId: `meet-${n}` })]);
    }
    await seedDb.db
      .ref()
      .update(Object.fromEntries(requests.map(([id, value]) => [paths.request(id), value])));

    const deps: UseCaseDeps[] = instances.map((instance) =>
      testDeps(instance.db, { clock, compute }),
    );
    // Each request is delivered twice, to different instances (at-least-once delivery).
    await Promise.all(
      requests.flatMap(([id, value], n) => [
        handleRequest(deps[n % INSTANCES] as UseCaseDeps, id, value),
        handleRequest(deps[(n + 1) % INSTANCES] as UseCaseDeps, id, value),
      ]),
    );

    const results = await Promise.all(requests.map(([id]) => readResult(seedDb.db, id)));
    const succeeded = results.filter((result) => result?.state === 'succeeded');
    expect(succeeded).toHaveLength(10);
    expect(new Set(succeeded.map((result) => result?.vmId)).size).toBe(10);
    expect(results.filter((result) => result?.state === 'failed')).toHaveLength(20);
    expect(await poolProblems(seedDb.db)).toEqual([]);
  }, 120_000);
});
