// Conformance: transactions (hash matching, datastale, contention) through both SDKs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clients, freshNs, startTestServer, type TestServer } from './helpers';
import { adminClient, webClient, type SdkClient } from './sdk';

let server: TestServer;
let clients: Clients;
const ns = freshNs('tx');

beforeAll(async () => {
  server = await startTestServer();
  clients = new Clients(server);
});
afterAll(async () => {
  await clients.closeAll();
  await server.stop();
});

function make(kind: 'web' | 'admin'): SdkClient {
  return kind === 'web' ? webClient(clients.web(ns)) : adminClient(clients.admin(ns));
}

describe.each(['web', 'admin'] as const)('%s SDK', (kind) => {
  let a: SdkClient;
  let b: SdkClient;
  beforeAll(() => {
    a = make(kind);
    b = make(kind);
  });
  const p = (name: string): string => `${kind}/${name}`;

  it('commits on a fresh location and on existing data (datastale first)', async () => {
    const r1 = await a.transaction(p('counter'), (v) => ((v as number | null) ?? 0) + 1);
    expect(r1.committed).toBe(true);
    expect(r1.snap.val).toBe(1);
    await b.set(p('counter2'), 10);
    const r2 = await a.transaction(p('counter2'), (v) => ((v as number | null) ?? 0) + 1);
    expect(r2.snap.val).toBe(11);
  });

  it('commits on the hash-quirk value 63.99999999999999', async () => {
    await b.set(p('quirk'), 63.99999999999999);
    const r = await a.transaction(p('quirk'), (v) => (v === 63.99999999999999 ? 'seen' : 'stale'));
    expect(r.committed).toBe(true);
    expect(r.snap.val).toBe('seen');
  });

  it('commits on nodes with priorities, numeric keys and mixed values', async () => {
    await b.setWithPriority(p('prio'), { 1: 'one', 10: 'ten', 2: { deep: true }, b: 1.5 }, 7);
    await b.setWithPriority(p('prio/b'), 1.5, 'str');
    await b.setWithPriority(p('prio/2'), { deep: true }, 3);
    const r = await a.transaction(p('prio'), (v) =>
      v === null ? null : { ...(v as object), added: 63.99999999999999 },
    );
    expect(r.committed).toBe(true);
    expect((await b.get(p('prio/added'))).val).toBe(63.99999999999999);
  });

  it('resolves server values inside transaction data', async () => {
    const r = await a.transaction(p('txsv'), () => ({
      at: a.serverTimestamp(),
      n: a.increment(2),
    }));
    expect(r.committed).toBe(true);
    const v = (await b.get(p('txsv'))).val as { at: number; n: number };
    expect(v.n).toBe(2);
    expect(typeof v.at).toBe('number');
  });

  it('aborts when the update function returns undefined', async () => {
    await b.set(p('abort'), 'keep');
    const r = await a.transaction(p('abort'), (v) => (v === null ? 'x' : undefined));
    expect(r.committed).toBe(false);
    expect((await b.get(p('abort'))).val).toBe('keep');
  });
});

it('keeps every increment under contention (20 clients x 50 = 1000)', async () => {
  const path = 'contended/counter';
  const racers = Array.from({ length: 20 }, (_, i) => make(i % 2 === 0 ? 'web' : 'admin'));
  let maxRetries = 0;
  await Promise.all(
    racers.map(async (c) => {
      for (let i = 0; i < 50; i++) {
        // The SDK gives up after 25 datastale replies in a row ("maxretry"), which
        // heavy contention can cause against any server; the app then retries.
        for (;;) {
          try {
            const r = await c.transaction(path, (v) => ((v as number | null) ?? 0) + 1);
            expect(r.committed).toBe(true);
            break;
          } catch (e) {
            if (!String(e).includes('maxretry')) throw e;
            maxRetries += 1;
          }
        }
      }
    }),
  );
  const check = make('admin');
  expect((await check.get(path)).val).toBe(1000);
  expect(maxRetries).toBeLessThan(500);
  // 1,000 contended transactions of 20 SDK clients take 15-40 s on 2 cores; more when shared.
}, 180_000);
