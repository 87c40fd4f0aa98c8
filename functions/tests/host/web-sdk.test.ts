import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import {
  connectDatabaseEmulator,
  get,
  getDatabase,
  push,
  ref,
  serverTimestamp,
  set,
  update,
  type Database,
} from 'firebase/database';
import { fileURLToPath } from 'node:url';
import { memoryLogger } from '@vmpool/core/ports';
import {
  agentAuthUid,
  paths,
  readRequestQuota,
  REQUEST_LIMITS,
  requestRowWrite,
} from '@vmpool/core';
import { startRtdbServer, type RtdbServer } from '@vmpool/local/rtdb';
import { MemoryCompute } from '../../src/adapters/memory';
import { startLocalFunctionsHost, type LocalFunctionsHost } from '../../src/host';
import {
  addCompetition,
  agentReport,
  readResult,
  request,
  seedVm,
  testAccess,
  writeConfig,
  writeRequest,
} from '../support/fixtures';
import { freshAdminDb, type AdminDb } from '../support/rtdb';
import { waitFor } from '../support/wait';

let rtdb: RtdbServer;
let admin: AdminDb;
let host: LocalFunctionsHost;
const hostLog = memoryLogger();
const webApps: FirebaseApp[] = [];
let web: Database;
let agentDb: Database;
const RULES = fileURLToPath(new URL('../../../database.rules.json', import.meta.url));

/** A web SDK client signed in with the given claims (the local server accepts mock tokens). */
function webClient(ns: string, token: Record<string, unknown>): Database {
  const app = initializeApp(
    { databaseURL: `https://${ns}.firebaseio.com`, projectId: ns },
    `web-${ns}-${webApps.length}`,
  );
  webApps.push(app);
  const db = getDatabase(app);
  connectDatabaseEmulator(db, '127.0.0.1', rtdb.port, { mockUserToken: token as never });
  return db;
}
const clock = { now: () => Date.now() };
const compute = new MemoryCompute({ clock });

beforeAll(async () => {
  // The real security rules: producers and the agent write as they would in production.
  rtdb = await startRtdbServer({ port: 0, quiet: true, rules: RULES });
  admin = await freshAdminDb(rtdb);
  await writeConfig(admin.db, { minWarmVMs: 0, autoStopAfterHours: 0, warmupTimeSeconds: 60 });
  for (const competitionId of ['meet-1', 'meet-2', 'meet-3']) {
    await addCompetition(admin.db, competitionId, 'producer-1');
  }
  await seedVm(admin.db, compute, 'vm-001', 'available', Date.now());
  const vm2 = await seedVm(admin.db, compute, 'vm-002', 'stopped', Date.now());
  // Written before the host starts: it must still be processed.
  await writeRequest(
    admin.db,
    'early',
    request('assign', { competitionId: 'meet-3' }, 'producer-1'),
  );
  host = await startLocalFunctionsHost({
    databaseUrl: admin.databaseUrl,
    compute,
    clock,
    access: testAccess,
    logger: hostLog,
    reconcileIntervalMs: 0,
  });
  web = webClient(admin.ns, { sub: 'producer-1', user_id: 'producer-1', producer: true });
  // The agent's token names its instance, as agentToken mints it.
  const agentUid = agentAuthUid(vm2.instanceId);
  agentDb = webClient(admin.ns, {
    sub: agentUid,
    user_id: agentUid,
    vmId: 'vm-002',
    instanceId: vm2.instanceId,
  });
}, 60_000);

afterAll(async () => {
  // No trigger may have failed along the way.
  expect(hostLog.lines.filter((line) => line.level === 'error')).toEqual([]);
  await Promise.all(webApps.map((app) => deleteApp(app)));
  await host.stop();
  await admin.close();
  await rtdb.stop();
});

/**
 * Writes a request as the web app does (issue 9): the row with a free rate-limit slot of the
 * writer in one multi-path update. Returns the request id.
 */
async function clientRequest(db: Database, uid: string, fields: Record<string, unknown>) {
  const requestId = push(ref(db, paths.requests())).key ?? '';
  const quota = readRequestQuota((await get(ref(db, paths.requestQuota(uid)))).val());
  const write = requestRowWrite(
    quota,
    REQUEST_LIMITS.producer,
    uid,
    requestId,
    { ...fields, requestedBy: uid, requestedAt: serverTimestamp() },
    Date.now(),
    serverTimestamp(),
  );
  if (!write.ok) throw new Error('rate limited');
  await update(ref(db), write.update);
  return requestId;
}

async function finalResult(requestId: string) {
  return waitFor(async () => {
    const result = await readResult(admin.db, requestId);
    return result?.state === 'succeeded' || result?.state === 'failed' ? result : undefined;
  }, `result of ${requestId}`);
}

describe('local functions host, requests written with the web SDK', () => {
  it('processes a request written before it started', async () => {
    expect(await finalResult('early')).toMatchObject({ state: 'succeeded', vmId: 'vm-001' });
  });

  it('a cold assign is handed over when the agent (web SDK) reports ready', async () => {
    const requestId = await clientRequest(web, 'producer-1', {
      action: 'assign',
      competitionId: 'meet-1',
    });
    await waitFor(async () => {
      const result = await readResult(admin.db, requestId);
      return result?.step === 'Wait for agent' ? result : undefined;
    }, 'the cold assign to wait for the agent');

    await set(
      ref(agentDb, paths.vmAgent('vm-002')),
      agentReport(Date.now(), { publicIp: '203.0.113.9' }),
    );
    const result = await finalResult(requestId);
    expect(result).toMatchObject({ state: 'succeeded', vmId: 'vm-002' });
    const config = (await admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
    expect(config.vmId).toBe('vm-002');
  });

  it('a release completes when the agent finishes its commands', async () => {
    const requestId = await clientRequest(web, 'producer-1', {
      action: 'release',
      competitionId: 'meet-1',
    });
    // The agent side: finish each command the control plane queues.
    const answered = new Set<string>();
    const result = await waitFor(async () => {
      const commands = ((await admin.db.ref(paths.vmCommands('vm-002')).get()).val() ??
        {}) as Record<string, { status?: string }>;
      for (const [commandId, command] of Object.entries(commands)) {
        if (command.status === undefined && !answered.has(commandId)) {
          answered.add(commandId);
          await set(ref(agentDb, `${paths.command('vm-002', commandId)}/status`), 'succeeded');
        }
      }
      const current = await readResult(admin.db, requestId);
      return current?.state === 'succeeded' ? current : undefined;
    }, 'the release');
    expect(result.message).toContain('back in the pool');
    expect(answered.size).toBe(2);
    const config = (await admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
    expect(config.vmId).toBeUndefined();
  });

  it('a producer asking for another show is refused by the rules before any function runs', async () => {
    // The control plane's own check of the same case is in bad-requests.test.ts.
    await addCompetition(admin.db, 'meet-9');
    await expect(
      clientRequest(web, 'producer-1', { action: 'assign', competitionId: 'meet-9' }),
    ).rejects.toThrow(/permission/i);
  });
});
