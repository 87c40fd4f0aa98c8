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
