// Fuzz: random frames over raw sockets never crash the server, and a normal SDK
// client still works afterwards.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Clients, freshNs, isExternal, sleep, startTestServer, type TestServer } from './helpers';
import { RawClient } from './raw';
import { adminClient, webClient } from './sdk';

let server: TestServer;
let clients: Clients;
const ns = freshNs('fuzz');

beforeAll(async () => {
  server = await startTestServer({ maxMessageBytes: 50_000 });
  clients = new Clients(server);
});
afterAll(async () => {
  await clients.closeAll();
  await server.stop();
});

const segment = fc.oneof(
  fc.constantFrom(
    'a',
    'b',
    'list',
    '.priority',
    '.info',
    'x.y',
    '$',
    '#',
    '[',
    ']',
    '\u0000',
    '',
    '..',
  ),
  fc.string({ maxLength: 8 }),
);
const path = fc.array(segment, { maxLength: 4 }).map((s) => '/' + s.join('/'));
const json = fc.jsonValue({ maxDepth: 4 });
const leafish = fc.oneof(
  json,
  fc.constant({ '.sv': 'timestamp' }),
  fc.record({ '.sv': fc.record({ increment: fc.oneof(fc.integer(), fc.string()) }) }),
  fc.record({ '.value': json, '.priority': fc.oneof(fc.integer(), fc.string(), fc.boolean()) }),
  fc.array(json, { maxLength: 4 }),
);
const query = fc.oneof(
  fc.constant(undefined),
  fc.record(
    {
      i: fc.oneof(fc.constantFrom('.key', '.value', '.priority', 'n', 'a/b', '$x'), json),
      sp: leafish,
      sn: fc.oneof(fc.string(), json),
      sin: fc.oneof(fc.boolean(), json),
      ep: leafish,
      en: fc.string(),
      ein: fc.boolean(),
      l: fc.oneof(fc.integer({ min: -2, max: 5 }), json),
      vf: fc.oneof(fc.constantFrom('l', 'r'), fc.string()),
    },
    { requiredKeys: [] },
  ),
);
const action = fc.constantFrom(
  's',
  'q',
  'n',
  'g',
  'p',
  'm',
  'o',
  'om',
  'oc',
  'auth',
  'gauth',
  'unauth',
  'appcheck',
  'zz',
  '',
);
const body = fc.record(
  {
    p: fc.oneof(path, json),
    d: fc.oneof(leafish, fc.dictionary(fc.oneof(path, fc.string()), leafish, { maxKeys: 4 })),
    q: query,
    t: fc.oneof(fc.integer(), json),
    h: fc.oneof(fc.string(), fc.constant(''), json),
    cred: fc.oneof(fc.constant('owner'), fc.string(), fc.constant('e30.e30.'), json),
    authvar: json,
    noauth: fc.boolean(),
  },
  { requiredKeys: [] },
);
const request = fc
  .record(
    { r: fc.oneof(fc.nat(), json), a: fc.oneof(action, json), b: fc.oneof(body, json) },
    { requiredKeys: [] },
  )
  .map((d) => JSON.stringify({ t: 'd', d }));
const frame = fc.oneof(
  { weight: 6, arbitrary: request },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '0',
      '1',
      '2',
      '999999',
      '-1',
      '{',
      '{"t":"c","d":{"t":"p"}}',
      'null',
      '[]',
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('c', 'd', 'x'), json)
      .map(([t, d]) => JSON.stringify({ t, d })),
  },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 2000 }).map((s) => s.repeat(30)) },
);

async function probeStillServes(): Promise<void> {
  const probe = await RawClient.connect(server.port, ns);
  expect((await probe.request('g', { p: '/', q: { l: 1 } })).s).toBe('ok');
  probe.close();
}

// This server keeps sockets open for any well-formed request; other servers may not.
it.skipIf(isExternal)(
  'answers any well-formed request sequence without dropping the socket',
  async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 40 }), async (frames) => {
        const c = await RawClient.connect(server.port, ns);
        for (const f of frames) c.sendFrame(f);
        c.sendFrame(JSON.stringify({ t: 'c', d: { t: 'p', d: {} } }));
        await c.waitFor((m) => m.t === 'c' && m.d.t === 'o');
        expect(c.closeCode).toBeNull();
        c.close();
      }),
      { numRuns: 120, seed: 4242 },
    );
    await probeStillServes();
  },
  30_000,
);

it('survives random frames and keeps serving SDK clients', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 25 }), async (frames) => {
      const c = await RawClient.connect(server.port, ns);
      for (const f of frames) c.sendFrame(f);
      c.sendFrame(JSON.stringify({ t: 'c', d: { t: 'p', d: {} } }));
      await Promise.race([
        c.waitFor((m) => m.t === 'c' && m.d.t === 'o').catch(() => undefined),
        sleep(500),
      ]);
      c.close();
      await probeStillServes();
    }),
    { numRuns: 120, seed: 4243 },
  );
  const web = webClient(clients.web(ns));
  const admin = adminClient(clients.admin(ns));
  await web.set('after/fuzz', { ok: true });
  expect((await admin.get('after/fuzz')).val).toEqual({ ok: true });
  const r = await admin.transaction('after/counter', (v) => ((v as number | null) ?? 0) + 1);
  expect(r.committed).toBe(true);
}, 60_000);

it.skipIf(isExternal)(
  'survives random long-poll requests',
  async () => {
    const base = `http://127.0.0.1:${server.port}/.lp`;
    const get = async (query: string): Promise<string> => {
      const ctrl = new AbortController();
      const timer = setTimeout(() => ctrl.abort(), 25);
      try {
        return await (await fetch(`${base}?${query}`, { signal: ctrl.signal })).text();
      } catch {
        return '';
      } finally {
        clearTimeout(timer);
      }
    };
    const param = fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'start',
          'id',
          'pw',
          'ser',
          'cb',
          'dframe',
          'disconn',
          'seg0',
          'ts0',
          'd0',
          'seg1',
          'ts1',
          'd1',
        ),
        fc.string({ maxLength: 6 }),
      ),
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom('t', '0', '1', '-1', '99999999', 'e30', 'eyJ0IjoiZCJ9'),
        request.map((r) => Buffer.from(r).toString('base64url')),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(param, { maxLength: 8 }), { minLength: 1, maxLength: 5 }),
        async (polls) => {
          const start = await (await fetch(`${base}?start=t&ser=1&cb=9&v=5&ns=${ns}`)).text();
          const m = /pLPCommand\('start','([^']+)','([^']+)'\)/.exec(start);
          expect(m).not.toBeNull();
          for (const poll of polls) {
            const qs = new URLSearchParams(poll);
            if (poll.length % 2 === 0 && m !== null) {
              qs.set('id', m[1] as string);
              qs.set('pw', m[2] as string);
            }
            await get(qs.toString());
          }
        },
      ),
      { numRuns: 40, seed: 4244 },
    );
    await probeStillServes();
  },
  30_000,
);
