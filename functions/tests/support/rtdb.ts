import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getDatabase, type Database } from 'firebase-admin/database';
import { startRtdbServer, type RtdbServer } from '@vmpool/local/rtdb';

let server: RtdbServer | null = null;
let users = 0;
let namespaces = 0;

/** One local RTDB server per test file, shared by its tests; each test takes a fresh namespace. */
export async function sharedRtdb(): Promise<RtdbServer> {
  users += 1;
  server ??= await startRtdbServer({ port: 0, quiet: true });
  return server;
}

export async function releaseRtdb(): Promise<void> {
  users -= 1;
  if (users === 0 && server) {
    await server.stop();
    server = null;
  }
}

export interface AdminDb {
  app: App;
  db: Database;
  databaseUrl: string;
  ns: string;
  close(): Promise<void>;
}

export async function freshAdminDb(rtdb: RtdbServer): Promise<AdminDb> {
  namespaces += 1;
  const ns = `fn-test-${process.pid}-${namespaces}`;
  const databaseUrl = rtdb.databaseUrl(ns);
  const app = initializeApp({ databaseURL: databaseUrl, projectId: ns }, `test-${ns}`);
  const db = getDatabase(app);
  return { app, db, databaseUrl, ns, close: () => deleteApp(app) };
}

/**
 * Registers a test file's database hooks: the shared server for the file, and a fresh admin
 * database (its own namespace) for each test, closed after it.
 */
export function useTestDatabase(): { readonly rtdb: RtdbServer; readonly admin: AdminDb } {
  let rtdb: RtdbServer | null = null;
  let admin: AdminDb | null = null;
  beforeAll(async () => {
    rtdb = await sharedRtdb();
  });
  afterAll(async () => {
    await releaseRtdb();
  });
  beforeEach(async () => {
    admin = await freshAdminDb(rtdb!);
  });
  afterEach(async () => {
    await admin?.close();
    admin = null;
  });
  return {
    get rtdb() {
      if (rtdb === null) throw new Error('the test database is only there inside tests');
      return rtdb;
    },
    get admin() {
      if (admin === null) throw new Error('the test database is only there inside tests');
      return admin;
    },
  };
}
