// Clients across a server restart, and FIREBASE_DATABASE_EMULATOR_HOST.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtdbServer, type RtdbServer } from '../../src/rtdb/index';
import { Clients, isExternal, waitFor, type TestServer } from './helpers';
import { adminClient, webClient } from './sdk';

// Created in beforeAll: hooks do not run when every test is skipped (external server).
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rtdb-reconnect-'));
});
const servers: RtdbServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function asTestServer(server: RtdbServer): TestServer {
  return {
    host: '127.0.0.1',
    port: server.port,
    external: false,
    local: server,
    databaseUrl: (ns) => server.databaseUrl(ns),
    setRules: async (rules) => server.reloadRules(rules),
    stop: () => server.stop(),
  };
}

describe.skipIf(isExternal)('reconnecting', () => {
  it('clients reconnect to a restarted server, re-listen and flush queued writes', async () => {
    const data = join(dir, 'restart.json');
    const first = await startRtdbServer({ port: 0, quiet: true, data });
    servers.push(first);
    const port = first.port;
    const clients = new Clients(asTestServer(first));
    const web = webClient(clients.web('re'));
    const admin = adminClient(clients.admin('re'));
    const seen: unknown[] = [];
    web.onValue('live', (s) => seen.push(s.val));
    await admin.set('live', 1);
    await waitFor(() => seen.includes(1), 5000, 'first value');
    await first.stop();
    // Written while the server is down: queued by the SDK, sent after reconnecting.
    const queued = web.set('queued', 'while-down');
    const second = await startRtdbServer({ port, quiet: true, data });
    servers.push(second);
    await queued;
    expect(second.exportData('re')).toMatchObject({ live: 1, queued: 'while-down' });
    await admin.set('live', 2);
    await waitFor(() => seen.includes(2), 10_000, 'value after restart');
    expect(seen.filter((v) => v === null)).toEqual([null]);
    await clients.closeAll();
  }, 30_000);

  it('FIREBASE_DATABASE_EMULATOR_HOST points both SDKs at the server', async () => {
    const server = await startRtdbServer({ port: 0, quiet: true });
    servers.push(server);
    const previous = process.env.FIREBASE_DATABASE_EMULATOR_HOST;
    process.env.FIREBASE_DATABASE_EMULATOR_HOST = `127.0.0.1:${server.port}`;
    try {
      const { initializeApp, deleteApp } = await import('firebase/app');
      const { getDatabase, ref, set, get } = await import('firebase/database');
      const adminApp = await import('firebase-admin/app');
      const adminDb = await import('firebase-admin/database');
      const url = 'https://envdemo-default-rtdb.firebaseio.com';
      const app = initializeApp({ databaseURL: url, projectId: 'envdemo' }, 'env-web');
      const a = adminApp.initializeApp({ databaseURL: url, projectId: 'envdemo' }, 'env-admin');
      await set(ref(getDatabase(app), 'from/web'), 1);
      await adminDb.getDatabase(a).ref('from/admin').set(2);
      expect((await get(ref(getDatabase(app), 'from'))).val()).toEqual({ web: 1, admin: 2 });
      expect(server.exportData('envdemo-default-rtdb')).toEqual({ from: { web: 1, admin: 2 } });
      await deleteApp(app);
      await adminApp.deleteApp(a);
    } finally {
      if (previous === undefined) delete process.env.FIREBASE_DATABASE_EMULATOR_HOST;
      else process.env.FIREBASE_DATABASE_EMULATOR_HOST = previous;
    }
  });
});
