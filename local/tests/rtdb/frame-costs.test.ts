// What one frame may cost: the attacks of issue 9 (finding 1) against the server running as its
// own process with the real database.rules.json. While an attacker's frame is handled, another
// client keeps reading through the SDKs; its reads must keep coming back. The bounds here are
// generous (a shared, loaded machine); precise figures come from `npm run bench:rtdb`.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { get, onValue, ref } from 'firebase/database';
import {
  Clients,
  RULES_FILE,
  freshNs,
  isExternal,
  startCliServer,
  startTestServer,
  unsignedJwt,
  waitFor,
  type CliServer,
} from './helpers';
import { RawClient } from './raw';
import { adminClient, webClient } from './sdk';

/** Another client must see its reads answered within this (the target is 1 s; CI is loaded). */
const READ_BOUND_MS = 5000;
/**
 * While 15 MiB arrive (and are skipped), a looser bound: on an idle machine the old server
 * stalled ~3 s there, so the memory bound is what tells a server that parses it whole.
 */
const READ_BOUND_BIG_MS = 10_000;
let big15 = '';

function manyPaths(n: number): Record<string, number> {
  const d: Record<string, number> = {};
  for (let i = 0; i < n; i++) d[`k${String(i).padStart(5, '0')}/val`] = 1;
  return d;
}

/** JSON text of an object of ~`bytes` with one short string per 33 bytes (many values). */
function bigObjectJson(bytes: number): string {
  const parts: string[] = [];
  for (let i = 0; i * 33 < bytes; i++)
    parts.push(`"k${String(i).padStart(6, '0')}":"${'x'.repeat(20)}"`);
  return `{${parts.join(',')}}`;
}

/**
 * Runs `probe` over and over (from before the attack is sent until shortly after it is
 * answered) and returns the slowest round trip and the attacker's reply.
 */
async function probeDuring<T>(
  probe: () => Promise<unknown>,
  attack: () => Promise<T>,
): Promise<{ worstMs: number; rounds: number; reply: T }> {
  let done = false;
  let worstMs = 0;
  let rounds = 0;
  const probing = (async () => {
    while (!done || rounds < 3) {
      const t0 = performance.now();
      await probe();
      worstMs = Math.max(worstMs, performance.now() - t0);
      rounds += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const reply = await attack();
  await new Promise((resolve) => setTimeout(resolve, 300));
  done = true;
  await probing;
  return { worstMs, rounds, reply };
}

describe.skipIf(isExternal)('one frame cannot stall everyone else', () => {
  let server: CliServer;
  let clients: Clients;
  const ns = freshNs('cost');

  beforeAll(async () => {
    big15 = bigObjectJson(15 * 1024 * 1024);
    server = await startCliServer(['--quiet', '--rules', RULES_FILE]);
    clients = new Clients(server);
    await adminClient(clients.admin(ns)).set('vmPool/config/minWarmVMs', 1);
  }, 30_000);
  afterAll(async () => {
    await clients.closeAll();
    await server.stop();
  });

  /** A signed-in admin (rules-checked) reading through the web SDK, plus a listener's push. */
  function bystander(): () => Promise<unknown> {
    const db = clients.web(ns, { mockUserToken: { user_id: 'ada', admin: true } });
    const owner = adminClient(clients.admin(ns));
    let pushes = 0;
    // The owner bypasses the rules: a counter the signed-in admin may read.
    onValue(ref(db, 'vmPool/config/probe'), () => (pushes += 1));
    let n = 0;
    return async () => {
      await get(ref(db, 'vmPool/config'));
      const before = pushes;
      await owner.set('vmPool/config/probe', ++n);
      await waitFor(() => pushes > before, READ_BOUND_MS * 2, 'the listener push');
    };
  }

  it('refuses an anonymous update of 8,000 paths at the root at once', async () => {
    const probe = bystander();
    await probe();
    const attacker = await RawClient.connect(server.port, ns);
    const frame = attacker.prepare('m', { p: '/', d: manyPaths(8000) });
    const result = await probeDuring(probe, () => attacker.sendPrepared(frame, 60_000));
    attacker.close();
    expect(result.reply.s).not.toBe('ok');
    expect(result.worstMs).toBeLessThan(READ_BOUND_MS);
  }, 120_000);

  it('refuses an anonymous 15 MiB set without reading it all or holding it in memory', async () => {
    const probe = bystander();
    await probe();
    const attacker = await RawClient.connect(server.port, ns);
    const frame = attacker.prepareWrite('p', '/junk', big15);
    server.resetPeak();
    const before = server.memoryMb();
    const result = await probeDuring(probe, () => attacker.sendPrepared(frame, 60_000));
    attacker.close();
    expect(result.reply.s).toBe('permission_denied');
    expect(result.worstMs).toBeLessThan(READ_BOUND_BIG_MS);
    // Parsing it whole used to lift the server's memory by ~300-470 MB.
    expect(server.memoryMb().peak - before.rss).toBeLessThan(100);
  }, 120_000);

  it('refuses a signed-in user 15 MiB set where a rule could allow a write, from its size', async () => {
    const probe = bystander();
    await probe();
    const attacker = await RawClient.connect(server.port, ns);
    expect(
      (await attacker.request('auth', { cred: unsignedJwt({ sub: 'mallory', producer: true }) })).s,
    ).toBe('ok');
    const data = `{"action":"assign","competitionId":"c1","junk":${big15}}`;
    const frame = attacker.prepareWrite('p', '/vmPool/requests/r1', data);
    server.resetPeak();
    const before = server.memoryMb();
    const result = await probeDuring(probe, () => attacker.sendPrepared(frame, 60_000));
    expect(result.reply.s).toBe('too_big');
    expect(result.worstMs).toBeLessThan(READ_BOUND_BIG_MS);
    expect(server.memoryMb().peak - before.rss).toBeLessThan(100);
    // The connection is still usable after the refusal (producers may read the pool summary).
    expect((await attacker.request('g', { p: '/vmPool/summary', q: {} })).s).toBe('ok');
    attacker.close();
  }, 120_000);
});

describe.skipIf(isExternal)('bounds on a frame and on connections', () => {
  const RULES = {
    rules: {
      open: { '.read': 'auth != null', '.write': 'auth != null' },
      deep: { '.read': true, '.write': true },
    },
  };
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let clients: Clients;
  const ns = freshNs('bounds');

  beforeAll(async () => {
    server = await startTestServer({
      rules: RULES,
      fragmentTimeoutMs: 500,
      maxConnectionsPerIp: 6,
      maxUpdatePaths: 50,
      maxUserMessageBytes: 100_000,
      maxUserWriteNodes: 1000,
    });
    clients = new Clients(server);
  });
  afterAll(async () => {
    await clients.closeAll();
    await server.stop();
  });
  afterEach(async () => {
    await clients.closeAll();
  });

  it('answers an update with too many paths, or a write too large or with too many values, with too_big (web SDK)', async () => {
    const user = webClient(clients.web(ns, { mockUserToken: { user_id: 'u1' } }));
    const paths = (n: number): Record<string, number> =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, i]));
    await user.update('open/fifty', paths(50));
    await expect(user.update('open/many', paths(51))).rejects.toThrow(/TOO_BIG/);
    await expect(user.set('open/big', 'x'.repeat(200_000))).rejects.toThrow(/TOO_BIG/);
    await user.set('open/values', paths(999));
    await expect(user.set('open/values', paths(1000))).rejects.toThrow(/TOO_BIG/);
    // Still connected and served, without a reconnect loop.
    await user.set('open/after', 1);
    expect((await user.get('open/after')).val).toBe(1);
    expect((await user.get('open/fifty')).keys).toHaveLength(50);
    // The owner keeps production's 16 MB limit and no path cap.
    const owner = adminClient(clients.admin(ns));
    await owner.update('open/owner', paths(500));
    await owner.set('open/ownerBig', 'x'.repeat(200_000));
    await owner.set('open/ownerValues', paths(5000));
    expect((await user.get('open/owner')).keys).toHaveLength(500);
  }, 30_000);

  it('refuses writes deeper than 32 levels, as production does', async () => {
    const c = await RawClient.connect(server.port, ns);
    let deep: unknown = 1;
    for (let i = 0; i < 31; i++) deep = { a: deep };
    expect((await c.request('p', { p: '/deep', d: deep })).s).toBe('ok');
    expect((await c.request('p', { p: '/deep', d: { a: deep } })).s).toBe('invalid_request');
    c.close();
  });

  it('closes a connection whose message fragments stop arriving', async () => {
    const holder = await RawClient.connect(server.port, ns);
    holder.sendFrame('5');
    holder.sendFrame('{"t":"d","d":{"r":1,"a":"p","b":{"p":"/open/x","d":"');
    expect(await holder.waitClosed(5000)).toBe(1008);
  });

  it('caps connections per address; a closed one frees its slot', async () => {
    const open: RawClient[] = [];
    for (let i = 0; i < 6; i++) open.push(await RawClient.connect(server.port, ns));
    await expect(RawClient.connect(server.port, ns)).rejects.toThrow(/503/);
    const poll = await fetch(`http://127.0.0.1:${server.port}/.lp?start=t&ser=1&cb=1&v=5&ns=${ns}`);
    expect(poll.status).toBe(503);
    open.pop()?.close();
    await waitFor(() => (server.local?.openConnections ?? 0) < 6, 5000, 'a free slot');
    const again = await RawClient.connect(server.port, ns);
    expect((await again.request('g', { p: '/deep', q: {} })).s).toBe('ok');
    for (const c of [...open, again]) c.close();
  });
});
