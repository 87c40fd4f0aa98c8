// Credentials from web pages (issue 9, design gap): the server checks no token signature, so a
// page of any other origin open in the developer's browser could present the owner token or a
// forged token. Only the allowed origin (the local web app's) may authenticate; other pages
// stay unauthenticated; clients that are not browsers (no Origin: the Node SDKs) are unaffected.
// The same through a real browser is in browser.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  Clients,
  freshNs,
  isExternal,
  startTestServer,
  unsignedJwt,
  type TestServer,
} from './helpers';
import { RawClient } from './raw';
import { adminClient, webClient } from './sdk';

const APP = 'http://127.0.0.1:5173';
const RULES = {
  rules: {
    public: { '.read': true, '.write': true },
    private: { $uid: { '.read': 'auth.uid === $uid', '.write': 'auth.uid === $uid' } },
  },
};

let server: TestServer;
let clients: Clients;
const ns = freshNs('origin');

beforeAll(async () => {
  server = await startTestServer({ rules: RULES, allowedOrigins: [APP, 'http://localhost:5173'] });
  clients = new Clients(server);
});
afterAll(async () => {
  await clients.closeAll();
  await server.stop();
});

describe.skipIf(isExternal)('credentials by web origin', { timeout: 30_000 }, () => {
  it('refuses the owner token and unsigned tokens over a WebSocket opened by a foreign page', async () => {
    const page = await RawClient.connect(server.port, ns, { Origin: 'http://evil.example' });
    const owner = await page.request('gauth', { cred: 'owner' });
    expect(owner.s).toBe('invalid_token');
    expect(String(owner.d)).toMatch(/evil\.example/);
    expect((await page.request('auth', { cred: unsignedJwt({ sub: 'u1' }) })).s).toBe(
      'invalid_token',
    );
    // Still connected, as an unauthenticated client.
    expect((await page.request('p', { p: '/private/u1/x', d: 1 })).s).toBe('permission_denied');
    expect((await page.request('p', { p: '/public/x', d: 1 })).s).toBe('ok');
    page.close();
  });

  it('refuses pages whose origin is opaque or not given', async () => {
    const sandboxed = await RawClient.connect(server.port, ns, { Origin: 'null' });
    expect((await sandboxed.request('gauth', { cred: 'owner' })).s).toBe('invalid_token');
    sandboxed.close();
    const hidden = await RawClient.connect(server.port, ns, { 'Sec-Fetch-Site': 'cross-site' });
    expect((await hidden.request('gauth', { cred: 'owner' })).s).toBe('invalid_token');
    hidden.close();
  });

  it('accepts credentials from the web app origin and from clients that are not browsers', async () => {
    const origins: Record<string, string>[] = [
      { Origin: APP },
      { Origin: 'http://LOCALHOST:5173' },
      {},
    ];
    for (const headers of origins) {
      const c = await RawClient.connect(server.port, ns, headers);
      expect((await c.request('auth', { cred: unsignedJwt({ sub: 'u1' }) })).s).toBe('ok');
      expect((await c.request('p', { p: '/private/u1/x', d: 2 })).s).toBe('ok');
      expect((await c.request('gauth', { cred: 'owner' })).s).toBe('ok');
      c.close();
    }
    // The Node SDKs send no Origin.
    const web = webClient(clients.web(ns, { mockUserToken: { user_id: 'u2' } }));
    await web.set('private/u2/x', 3);
    expect((await adminClient(clients.admin(ns)).get('private/u2/x')).val).toBe(3);
  });

  it('refuses REST credentials from a foreign page, accepts them otherwise', async () => {
    const url = `http://127.0.0.1:${server.port}/private/u1.json?ns=${ns}`;
    const foreign = await fetch(url, {
      headers: { Authorization: 'Bearer owner', Origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(401);
    expect(await foreign.text()).toMatch(/evil\.example/);
    const viaReferer = await fetch(`${url}&auth=owner`, {
      method: 'DELETE',
      headers: { Referer: 'http://evil.example/page', 'Sec-Fetch-Site': 'cross-site' },
    });
    expect(viaReferer.status).toBe(401);
    expect((await adminClient(clients.admin(ns)).get('private/u1/x')).val).toBe(2);
    const app = await fetch(url, { headers: { Authorization: 'Bearer owner', Origin: APP } });
    expect(app.status).toBe(200);
    const cli = await fetch(url, { headers: { Authorization: 'Bearer owner' } });
    expect(await cli.json()).toEqual({ x: 2 });
  });

  it('does not let a foreign page take over a long-poll session of the app by its id', async () => {
    const start = await fetch(
      `http://127.0.0.1:${server.port}/.lp?start=t&ser=1&cb=1&v=5&ns=${ns}`,
      { headers: { Referer: `${APP}/`, 'Sec-Fetch-Site': 'same-site' } },
    );
    const script = await start.text();
    const sessionId = /"s":"([^"]+)"/.exec(script)?.[1];
    expect(sessionId).toBeDefined();
    const ws = await new Promise<{ code: number }>((resolve, reject) => {
      const socket = new WebSocket(
        `ws://127.0.0.1:${server.port}/.ws?v=5&ns=${ns}&s=${sessionId}`,
        { headers: { Origin: 'http://evil.example' } },
      );
      socket.on('close', (code) => resolve({ code }));
      socket.on('error', reject);
    });
    expect(ws.code).toBe(1008);
  });
});
