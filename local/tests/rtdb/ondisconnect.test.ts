// Conformance: onDisconnect set/update/remove/cancel, run when a client process
// is SIGKILLed and when a client goes offline cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clients, freshNs, startTestServer, waitFor, type TestServer } from './helpers';
import { goOffline, goOnline, onDisconnect, ref } from 'firebase/database';
import { adminClient, webClient } from './sdk';

const FIXTURE = fileURLToPath(new URL('./fixtures/disconnect-client.ts', import.meta.url));

let server: TestServer;
let clients: Clients;
const ns = freshNs('ondisc');
const children: ChildProcess[] = [];

beforeAll(async () => {
  server = await startTestServer();
  clients = new Clients(server);
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await clients.closeAll();
  await server.stop();
});

function startClientProcess(kind: 'web' | 'admin', id: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', FIXTURE, kind, server.databaseUrl(ns), id],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`client exited early (${code}): ${err}`)));
  });
}

describe.each(['web', 'admin'] as const)('%s SDK client process', (kind) => {
  it('runs its onDisconnect operations when SIGKILLed', async () => {
    const observer = adminClient(clients.admin(ns));
    const id = `${kind}-kill`;
    const child = await startClientProcess(kind, id);
    expect((await observer.get(`presence/${id}`)).val).toBe('online');
    expect((await observer.get(`removed/${id}`)).val).toBe('here');
    const seen: unknown[] = [];
    observer.onValue(`presence/${id}`, (s) => seen.push(s.val));
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await waitFor(() => seen.includes('offline'), 10_000, 'presence offline');
    const status = (await observer.get(`status/${id}`)).val as {
      state: string;
      at: number;
      keep: number;
    };
    expect(status.state).toBe('gone');
    expect(status.keep).toBe(1);
    expect(status.at).toBeGreaterThanOrEqual(killedAt - 1000);
    expect((await observer.get(`cancelled/${id}`)).exists).toBe(false);
    expect((await observer.get(`removed/${id}`)).exists).toBe(false);
  }, 20_000);
});

describe('in-process clients', () => {
  it('web: runs onDisconnect on goOffline and not after cancel', async () => {
    const observer = adminClient(clients.admin(ns));
    const db = clients.web(ns);
    await onDisconnect(ref(db, 'clean/web/a')).set({ '.sv': 'timestamp' });
    await onDisconnect(ref(db, 'clean/web/b')).set('b');
    await onDisconnect(ref(db, 'clean/web')).cancel();
    await onDisconnect(ref(db, 'clean/web/c')).set('c');
    await onDisconnect(ref(db, 'clean/web/d')).update({ x: 1, y: { '.sv': { increment: 2 } } });
    await onDisconnect(ref(db, 'clean/web2')).set({ keep: 1, drop: { a: 1, b: 2 } });
    await onDisconnect(ref(db, 'clean/web2/drop/a')).cancel();
    goOffline(db);
    await waitFor(async () => (await observer.get('clean/web/d')).exists, 5000, 'onDisconnect');
    expect((await observer.get('clean/web')).val).toEqual({ c: 'c', d: { x: 1, y: 2 } });
    expect((await observer.get('clean/web2')).val).toEqual({ keep: 1, drop: { b: 2 } });
    goOnline(db);
  });

  it('admin: runs onDisconnect on goOffline and not after cancel', async () => {
    const observer = webClient(clients.web(ns));
    const db = clients.admin(ns);
    await db.ref('clean/admin/a').onDisconnect().set({ '.sv': 'timestamp' });
    await db.ref('clean/admin/b').onDisconnect().set('b');
    await db.ref('clean/admin').onDisconnect().cancel();
    await db.ref('clean/admin/c').onDisconnect().setWithPriority('c', 4);
    db.goOffline();
    await waitFor(async () => (await observer.get('clean/admin/c')).exists, 5000, 'onDisconnect');
    expect((await observer.get('clean/admin')).val).toEqual({ c: 'c' });
    expect((await observer.get('clean/admin/c')).priority).toBe(4);
    db.goOnline();
  });
});
