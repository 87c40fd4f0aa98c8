// The local functions host over the local RTDB server with the real security rules, and web
// SDK clients signed in with mock tokens: what the host tests that write as the web app and the
// agent do share.
import { afterAll, beforeAll } from 'vitest';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import {
  connectDatabaseEmulator,
  get,
  getDatabase,
  push,
  ref,
  serverTimestamp,
  update,
  type Database,
} from 'firebase/database';
import { fileURLToPath } from 'node:url';
import { memoryLogger } from '@vmpool/core/ports';
import {
  paths,
  readRequestQuota,
  REQUEST_LIMITS,
  requestRowWrite,
  type RequestLimits,
} from '@vmpool/core';
import { startRtdbServer, type RtdbServer } from '@vmpool/local/rtdb';
import { MemoryCompute } from '../../src/adapters/memory';
import { startLocalFunctionsHost, type LocalFunctionsHost } from '../../src/host';
import { readResult, testAccess, writeConfig } from './fixtures';
import { freshAdminDb, type AdminDb } from './rtdb';
import { waitFor } from './wait';

const RULES = fileURLToPath(new URL('../../../database.rules.json', import.meta.url));

export interface WebHost {
  readonly rtdb: RtdbServer;
  readonly admin: AdminDb;
  readonly host: LocalFunctionsHost;
  readonly compute: MemoryCompute;
  /** What the host logged (its triggers' errors among it). */
  readonly hostLog: ReturnType<typeof memoryLogger>;
  /** A web SDK client signed in with these token claims (the local server accepts mock tokens). */
  client(token: Record<string, unknown>): Database;
  /** A web SDK client signed in as `uid` with these custom claims. */
  as(uid: string, claims: Record<string, unknown>): Database;
  /** The final result of a request (succeeded or failed), waited for. */
  finalResult(requestId: string): Promise<NonNullable<Awaited<ReturnType<typeof readResult>>>>;
}

/**
 * Registers a test file's hooks: the RTDB server with database.rules.json, a fresh namespace
 * with a quiet pool config (no warm minimum, no auto-stop), `seed` written before the host
 * starts (it must process what it finds), then the host; all stopped after the file.
 */
export function useWebHost(
  seed: (admin: AdminDb, compute: MemoryCompute) => Promise<void>,
): WebHost {
  const clock = { now: () => Date.now() };
  const compute = new MemoryCompute({ clock });
  const hostLog = memoryLogger();
  const webApps: FirebaseApp[] = [];
  let rtdb: RtdbServer | undefined;
  let admin: AdminDb | undefined;
  let host: LocalFunctionsHost | undefined;
  const started = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`${name} is not started (used outside the tests?)`);
    return value;
  };

  beforeAll(async () => {
    rtdb = await startRtdbServer({ port: 0, quiet: true, rules: RULES });
    admin = await freshAdminDb(rtdb);
    await writeConfig(admin.db, { minWarmVMs: 0, autoStopAfterHours: 0, warmupTimeSeconds: 60 });
    await seed(admin, compute);
    host = await startLocalFunctionsHost({
      databaseUrl: admin.databaseUrl,
      compute,
      clock,
      access: testAccess,
      logger: hostLog,
      reconcileIntervalMs: 0,
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(webApps.map((app) => deleteApp(app)));
    await host?.stop();
    await admin?.close();
    await rtdb?.stop();
  });

  const env: WebHost = {
    get rtdb() {
      return started(rtdb, 'the RTDB server');
    },
    get admin() {
      return started(admin, 'the admin database');
    },
    get host() {
      return started(host, 'the functions host');
    },
    compute,
    hostLog,
    client(token) {
      const { ns } = env.admin;
      const app = initializeApp(
        { databaseURL: `https://${ns}.firebaseio.com`, projectId: ns },
        `web-${ns}-${webApps.length}`,
      );
      webApps.push(app);
      const db = getDatabase(app);
      connectDatabaseEmulator(db, '127.0.0.1', env.rtdb.port, { mockUserToken: token as never });
      return db;
    },
    as: (uid, claims) => env.client({ sub: uid, user_id: uid, ...claims }),
    finalResult: (requestId) =>
      waitFor(async () => {
        const result = await readResult(env.admin.db, requestId);
        return result?.state === 'succeeded' || result?.state === 'failed' ? result : undefined;
      }, `result of ${requestId}`),
  };
  return env;
}

/**
 * Writes a request as the web app does (issue 9): the row with a free rate-limit slot of the
 * writer in one multi-path update. Returns the request id; throws when the writer has no free
 * slot, and with the rules' refusal when they refuse the write.
 */
export async function clientRequest(
  db: Database,
  uid: string,
  fields: Record<string, unknown>,
  limits: RequestLimits = REQUEST_LIMITS.producer,
): Promise<string> {
  const requestId = push(ref(db, paths.requests())).key ?? '';
  const quota = readRequestQuota((await get(ref(db, paths.requestQuota(uid)))).val());
  const write = requestRowWrite(
    quota,
    limits,
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
