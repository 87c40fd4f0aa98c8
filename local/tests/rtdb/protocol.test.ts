// Wire-level conformance: handshake, framing, ordering and bad input, with a raw client.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  freshNs,
  isExternal,
  sleep,
  startTestServer,
  unsignedJwt,
  type TestServer,
} from './helpers';
import { RawClient } from './raw';

let server: TestServer;
const ns = freshNs('proto');
const open: RawClient[] = [];

beforeAll(async () => {
  server = await startTestServer({ maxMessageBytes: 200_000 });
});
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});
afterAll(async () => {
  await server.stop();
});

async function connect(headers: Record<string, string> = {}): Promise<RawClient> {
  const c = await RawClient.connect(server.port, ns, headers);
  open.push(c);
  return c;
}

describe('handshake and control', () => {
  it('speaks first with ts, v, the Host it was reached on, and a session id', async () => {
    const before = Date.now();
    const c = await connect();
    const h = c.messages[0]?.d as { t: string; d: { ts: number; v: string; h: string; s: string } };
    expect(h.t).toBe('h');
    expect(h.d.v).toBe('5');
    expect(h.d.h).toBe(`127.0.0.1:${server.port}`);
    expect(typeof h.d.s).toBe('string');
    expect(h.d.ts).toBeGreaterThanOrEqual(before - 1000);
    const other = await connect({ Host: `localhost:${server.port}` });
    expect((other.messages[0]?.d.d as { h: string }).h).toBe(`localhost:${server.port}`);
  });

  it('answers pings with pongs and ignores keepalive 0 frames', async () => {
    const c = await connect();
    c.sendFrame('0');
    c.sendFrame(JSON.stringify({ t: 'c', d: { t: 'p', d: {} } }));
    const pong = await c.waitFor((m) => m.t === 'c' && m.d.t === 'o');
    expect(pong.d).toEqual({ t: 'o', d: {} });
    expect(c.frames).not.toContain('0');
  });

  it('acknowledges stats, appcheck and unauth', async () => {
    const c = await connect();
    expect((await c.request('s', { c: { 'sdk.js.1': 1 } })).s).toBe('ok');
    expect((await c.request('appcheck', { token: 'x' })).s).toBe('ok');
    expect(await c.request('unauth', {})).toEqual({ s: 'ok', d: 'unauthenticated' });
  });
});

describe('ordering', () => {
  it('pushes a listen’s data before its ok, and a write to its writer before the ack', async () => {
    const c = await connect();
    await c.request('p', { p: '/order/x', d: 'old' });
    const q = c.send('q', { p: '/order/x', h: '' });
    await c.waitFor((m) => m.d.r === q);
    const dataIdx = c.messages.findIndex(
      (m) => m.d.a === 'd' && (m.d.b as { d: unknown }).d === 'old',
    );
    expect(dataIdx).toBeGreaterThan(-1);
    expect(dataIdx).toBeLessThan(c.indexOfReply(q));
    const p = c.send('p', { p: '/order/x', d: 'new' });
    await c.waitFor((m) => m.d.r === p);
    const echoIdx = c.messages.findIndex(
      (m) => m.d.a === 'd' && (m.d.b as { d: unknown }).d === 'new',
    );
    expect(echoIdx).toBeGreaterThan(-1);
    expect(echoIdx).toBeLessThan(c.indexOfReply(p));
  });

  it('processes pipelined requests strictly in order', async () => {
    const c = await connect();
    const rs: number[] = [];
    for (let i = 0; i < 50; i++) rs.push(c.send('p', { p: '/pipe/n', d: i }));
    const g = c.send('g', { p: '/pipe/n', q: {} });
    const reply = await c.waitFor((m) => m.d.r === g);
    expect((reply.d.b as { d: unknown }).d).toBe(49);
    const order = c.messages.filter((m) => typeof m.d.r === 'number').map((m) => m.d.r);
    expect(order).toEqual([...rs, g]);
  });

  it('tags pushes for filtered listens with the client’s tag', async () => {
    const c = await connect();
    await c.request('p', { p: '/tagged', d: { a: 1, b: 2, c: 3 } });
    const reply = await c.request('q', {
      p: '/tagged',
      q: { l: 2, vf: 'r', i: '.key' },
      t: 7,
      h: '',
    });
    expect(reply.s).toBe('ok');
    const push = c.messages.find((m) => m.d.a === 'd' && (m.d.b as { t?: number }).t === 7);
    expect(push?.d.b).toEqual({ p: 'tagged', d: { b: 2, c: 3 }, t: 7 });
  });

  it('pushes the current value before datastale', async () => {
    const c = await connect();
    await c.request('p', { p: '/stale', d: 5 });
    await c.request('q', { p: '/stale', h: '' });
    const before = c.messages.length;
    const reply = await c.request('p', { p: '/stale', d: 6, h: 'wrong' });
    expect(reply.s).toBe('datastale');
    const pushed = c.messages.slice(before).find((m) => m.d.a === 'd');
    expect((pushed?.d.b as { d: unknown }).d).toBe(5);
  });
});

describe('framing', () => {
  it('splits large replies into a count frame and ≤16384-character fragments', async () => {
    const c = await connect();
    const big = 'y'.repeat(40_000);
    await c.request('p', { p: '/big', d: big });
    const start = c.frames.length;
    const reply = await c.request('g', { p: '/big', q: {} });
    expect(reply.d).toBe(big);
    const frames = c.frames.slice(start);
    expect(frames[0]).toBe('3');
    expect(frames.slice(1).every((f) => f.length <= 16384)).toBe(true);
  });

  it('reassembles split client messages', async () => {
    const c = await connect();
    const big = 'z'.repeat(40_000);
    const text = JSON.stringify({ t: 'd', d: { r: 900, a: 'p', b: { p: '/split', d: big } } });
    const parts = [text.slice(0, 16384), text.slice(16384, 32768), text.slice(32768)];
    c.sendFrame(String(parts.length));
    for (const part of parts) c.sendFrame(part);
    await c.waitFor((m) => m.d.r === 900);
    expect((await c.request('g', { p: '/split', q: {} })).d).toBe(big);
  });
});

// Status names and close codes for bad input are this server's own choices.
describe.skipIf(isExternal)('bad input', () => {
  it('rejects illegal path characters with a clear error and keeps serving', async () => {
    const c = await connect();
    for (const bad of ['/a.b', '/a#b', '/a$b', '/a[b', '/a]b', '/a\u0001b', '/a\u007fb']) {
      for (const action of ['p', 'g', 'q', 'm', 'o']) {
        const reply = await c.request(action, { p: bad, d: 1, q: {} });
        expect(reply.s, `${action} ${JSON.stringify(bad)}`).toBe('invalid_request');
        expect(String(reply.d)).toMatch(/invalid path/);
      }
    }
    const badKey = await c.request('p', { p: '/ok', d: { 'bad.key': 1 } });
    expect(badKey.s).toBe('invalid_request');
    expect((await c.request('p', { p: '/ok', d: 1 })).s).toBe('ok');
  });

  it('answers unknown actions and malformed bodies without closing', async () => {
    const c = await connect();
    expect((await c.request('zz', {})).s).toBe('invalid_request');
    expect((await c.request('q', { p: 5 })).s).toBe('invalid_request');
    expect((await c.request('q', { p: '/x', q: { l: -1 } })).s).toBe('invalid_request');
    expect((await c.request('m', { p: '/x', d: 'notanobject' })).s).toBe('invalid_request');
    expect((await c.request('p', { p: '/x', d: { '.sv': 'nope' } })).s).toBe('invalid_request');
    c.sendFrame(JSON.stringify({ t: 'd', d: { a: 'p' } }));
    await c.waitFor((m) => m.t === 'c' && m.d.t === 'e');
    expect((await c.request('g', { p: '/x', q: {} })).s).toBe('ok');
  });

  it('closes the socket on malformed JSON and oversized messages; others keep working', async () => {
    const bystander = await connect();
    const bad = await connect();
    bad.sendFrame('{not json');
    expect(await bad.waitClosed()).toBe(1007);
    const big = await connect();
    big.sendFrame(
      JSON.stringify({ t: 'd', d: { r: 1, a: 'p', b: { p: '/x', d: 'q'.repeat(300_000) } } }),
    );
    expect(await big.waitClosed()).toBe(1009);
    const split = await connect();
    split.sendFrame('99');
    for (let i = 0; i < 20; i++) split.sendFrame('w'.repeat(16_000));
    expect(await split.waitClosed()).toBe(1009);
    expect((await bystander.request('p', { p: '/still', d: 'alive' })).s).toBe('ok');
  });

  it('answers invalid tokens with invalid_token', async () => {
    const c = await connect();
    expect((await c.request('auth', { cred: 'garbage' })).s).toBe('invalid_token');
    expect((await c.request('gauth', { cred: 'not-owner' })).s).toBe('invalid_token');
    const ok = await c.request('auth', { cred: unsignedJwt({ sub: 'u1', exp: 1 }) });
    expect(ok.s).toBe('ok');
    expect((ok.d as { auth: { uid: string } }).auth.uid).toBe('u1');
    await sleep(1);
  });
});
