// The local functions host over the local RTDB server with the real security rules, and web
// SDK clients signed in with mock tokens: what the host tests that write as the web app and the
// agent do share.
import { afterAll } from 'vitest';
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
import {
  paths,
  readRequestQuota,
  REQUEST_LIMITS,
  requestRowWrite,
  type RequestLimits,
} from '@vmpool/core';
import type { MemoryCompute } from '../../src/adapters/memory';
import { readResult } from './fixtures';
import { useFunctionsHost, type FunctionsHost } from './functions-host';
import type { AdminDb } from './rtdb';
import { waitFor } from './wait';

const RULES = fileURLToPath(new URL('../../../database.rules.json', import.meta.url));

export interface WebHost extends FunctionsHost {
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
 * starts (it must process what it finds), then the host (see useFunctionsHost); all stopped
 * after the file, the file failing on a trigger's error log when `failOnErrorLogs`.
 */
export function useWebHost(
  seed: (admin: AdminDb, compute: MemoryCompute) => Promise<void>,
  options: { failOnErrorLogs?: boolean } = {},
): WebHost {
  const base = useFunctionsHost({
    rules: RULES,
    config: { minWarmVMs: 0, autoStopAfterHours: 0, warmupTimeSeconds: 60 },
    seed,
    failOnErrorLogs: options.failOnErrorLogs,
  });
  const webApps: FirebaseApp[] = [];

  // Registered after the host's hooks: the web clients close first.
  afterAll(async () => {
    await Promise.all(webApps.map((app) => deleteApp(app)));
  });

  const env: WebHost = {
    get rtdb() {
      return base.rtdb;
    },
    get admin() {
      return base.admin;
    },
    get host() {
      return base.host;
    },
    compute: base.compute,
    clock: base.clock,
    hostLog: base.hostLog,
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
