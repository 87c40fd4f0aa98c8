// The REST API (as the emulator's): data under /<path>.json and rules under /.settings.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Clients,
  freshNs,
  isExternal,
  startTestServer,
  unsignedJwt,
  waitFor,
  type TestServer,
} from './helpers';
import { webClient } from './sdk';

let server: TestServer;
let clients: Clients;
const ns = freshNs('rest');
const owner = { Authorization: 'Bearer owner' };

beforeAll(async () => {
  server = await startTestServer();
  clients = new Clients(server);
});
afterAll(async () => {
  await server.setRules(undefined, ns);
  await clients.closeAll();
  await server.stop();
});

function url(path: string): string {
  return `http://${server.host}:${server.port}${path}?ns=${ns}`;
}
async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = owner,
) {
  const res = await fetch(url(path), {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

describe('REST', () => {
  it('reads and writes data, and pushes REST writes to SDK listeners', async () => {
    const web = webClient(clients.web(ns));
    const seen: unknown[] = [];
    web.onValue('r', (s) => seen.push(s.val));
    expect(await call('PUT', '/r.json', { a: 1 })).toEqual({ status: 200, body: { a: 1 } });
    expect((await call('PATCH', '/r.json', { b: 2, 'c/d': 3 })).status).toBe(200);
    const posted = await call('POST', '/r/list.json', 'x');
    expect(posted.status).toBe(200);
    const name = (posted.body as { name: string }).name;
    expect(name).toMatch(/^[-\w]{20}$/);
    expect((await call('GET', '/r.json')).body).toEqual({
      a: 1,
      b: 2,
      c: { d: 3 },
      list: { [name]: 'x' },
    });
    await waitFor(() => JSON.stringify(seen.at(-1)).includes(name), 3000, 'REST push');
    expect((await call('DELETE', '/r.json')).body).toBeNull();
    expect((await call('GET', '/r.json')).body).toBeNull();
  });

  it('survives malformed request lines and upgrade attempts', async () => {
    const raw = (text: string): Promise<string> =>
      new Promise((resolve) => {
        const socket = connect(server.port, server.host, () => socket.end(text));
        let out = '';
        socket.on('data', (d) => (out += d.toString()));
        socket.on('close', () => resolve(out));
        socket.on('error', () => resolve(out));
      });
    for (const target of ['//[', '/%', '/.json?ns=%zz', '/.lp?%', 'http://[::1', '/%00.json']) {
      await raw(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      await raw(
        `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    }
    expect((await call('PUT', '/alive.json', true)).status).toBe(200);
  });

  it('supports shallow, pretty and export-format reads', async () => {
    await call('PUT', '/shape.json', { a: { b: 1 }, c: 2 });
    await call('PUT', '/shape/c/.priority.json', 5);
    const base = `http://${server.host}:${server.port}/shape.json?ns=${ns}`;
    const get = (q: string): Promise<string> =>
      fetch(`${base}&${q}`, { headers: owner }).then((r) => r.text());
    expect(JSON.parse(await get('shallow=true'))).toEqual({ a: true, c: true });
    expect(await get('print=pretty')).toContain('\n  "a": {');
    expect(JSON.parse(await get('format=export'))).toEqual({
      a: { b: 1 },
      c: { '.value': 2, '.priority': 5 },
    });
  });

  it('returns 400 for bad paths and bodies', async () => {
    expect((await call('GET', '/a$b.json')).status).toBe(400);
    const res = await fetch(url('/x.json'), { method: 'PUT', headers: owner, body: '{bad' });
    expect(res.status).toBe(400);
  });

  it.skipIf(isExternal)('reports the rules given at start', async () => {
    const rules = { rules: { '.read': true } };
    const own = await startTestServer({ rules });
    try {
      const res = await fetch(`http://${own.host}:${own.port}/.settings/rules.json?ns=x`, {
        headers: owner,
      });
      expect(await res.json()).toEqual(rules);
    } finally {
      await own.stop();
    }
  });

  it('sets rules for admins only and applies them to REST and SDK users', async () => {
    const rules = {
      rules: {
        open: { '.read': true, '.write': true },
        mine: { $uid: { '.write': 'auth.uid === $uid', '.read': 'auth.uid === $uid' } },
      },
    };
    expect((await call('PUT', '/.settings/rules.json', rules, {})).status).toBe(401);
    expect((await call('PUT', '/.settings/rules.json', rules)).status).toBe(200);
    expect((await call('GET', '/.settings/rules.json')).body).toEqual(rules);
    expect((await call('PUT', '/.settings/rules.json', { nope: 1 })).status).toBe(400);
    expect((await call('PUT', '/open/x.json', 1, {})).status).toBe(200);
    expect((await call('PUT', '/closed.json', 1, {})).status).toBe(401);
    const user = { Authorization: `Bearer ${unsignedJwt({ sub: 'u1' })}` };
    expect((await call('PUT', '/mine/u1.json', 'me', user)).status).toBe(200);
    expect((await call('PUT', '/mine/u2.json', 'me', user)).status).toBe(401);
    expect((await call('GET', '/mine/u1.json', undefined, user)).body).toBe('me');
  });
});
