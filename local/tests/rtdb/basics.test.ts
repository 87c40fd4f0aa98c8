// Conformance: reads, writes and events through both SDKs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clients, freshNs, sleep, startTestServer, waitFor, type TestServer } from './helpers';
import { adminClient, webClient, type SdkClient } from './sdk';

let server: TestServer;
let clients: Clients;
const ns = freshNs('basics');

beforeAll(async () => {
  server = await startTestServer();
  clients = new Clients(server);
});
afterAll(async () => {
  await clients.closeAll();
  await server.stop();
});

const kinds = ['web', 'admin'] as const;
function make(kind: 'web' | 'admin'): SdkClient {
  return kind === 'web' ? webClient(clients.web(ns)) : adminClient(clients.admin(ns));
}

describe.each(kinds)('%s SDK', (kind) => {
  let a: SdkClient;
  let b: SdkClient;
  beforeAll(() => {
    a = make(kind);
    b = make(kind === 'web' ? 'admin' : 'web');
  });
  const p = (name: string): string => `${kind}/${name}`;

  it('fires value events once per own write, with no flicker or revert', async () => {
    const seen: unknown[] = [];
    const off = a.onValue(p('flicker'), (s) => seen.push(s.val));
    await waitFor(() => seen.length === 1, 5000, 'initial event');
    await a.set(p('flicker'), 'old');
    await a.set(p('flicker'), 'new');
    await a.set(p('flicker'), { nested: { x: 1 } });
    await sleep(150);
    off();
    expect(seen).toEqual([null, 'old', 'new', { nested: { x: 1 } }]);
  });

  it('does not fire a spurious null before existing data', async () => {
    await b.set(p('existing'), { v: 42 });
    const seen: unknown[] = [];
    const off = a.onValue(p('existing'), (s) => seen.push(s.val));
    await waitFor(() => seen.length >= 1);
    await sleep(100);
    off();
    expect(seen).toEqual([{ v: 42 }]);
  });

  it('pushes other clients’ writes to listeners', async () => {
    const seen: unknown[] = [];
    const off = a.onValue(p('shared'), (s) => seen.push(s.val));
    await waitFor(() => seen.length === 1);
    await b.set(p('shared/x'), 1);
    await b.update(p('shared'), { y: 2, 'z/deep': 3 });
    await b.remove(p('shared/x'));
    await waitFor(() => seen.length === 4, 5000, 'pushed writes');
    off();
    expect(seen).toEqual([
      null,
      { x: 1 },
      { x: 1, y: 2, z: { deep: 3 } },
      { y: 2, z: { deep: 3 } },
    ]);
  });

  it('fires child events in order', async () => {
    const events: string[] = [];
    const off = a.onChild(p('children'), (e, key, val) =>
      events.push(`${e}:${key}:${JSON.stringify(val)}`),
    );
    await b.set(p('children'), { a: 1, b: 2 });
    await waitFor(() => events.length === 2);
    await b.set(p('children/a'), 10);
    await b.remove(p('children/b'));
    await b.update(p('children'), { c: 3 });
    await waitFor(() => events.length === 5, 5000, 'child events');
    off();
    expect(events).toEqual(['added:a:1', 'added:b:2', 'changed:a:10', 'removed:b:2', 'added:c:3']);
  });

  it('applies multi-path updates with deep keys and null deletes', async () => {
    await a.set(p('multi'), { keep: 1, gone: 2, deep: { x: 1, y: 2 } });
    await a.update(p('multi'), { gone: null, 'deep/x': 10, 'deep/z': { w: true }, 'new/a/b': 's' });
    const snap = await b.get(p('multi'));
    expect(snap.val).toEqual({
      keep: 1,
      deep: { x: 10, y: 2, z: { w: true } },
      new: { a: { b: 's' } },
    });
    await a.update(p('multi'), { keep: null, deep: null, new: null });
    expect((await b.get(p('multi'))).exists).toBe(false);
  });

  it('round-trips types, arrays and empty objects', async () => {
    const value = {
      s: 'str',
      n: -1.5,
      t: true,
      f: false,
      arr: [1, 'two', { three: 3 }],
      empty: {},
    };
    await a.set(p('types'), value);
    const snap = await b.get(p('types'));
    expect(snap.val).toEqual({
      s: 'str',
      n: -1.5,
      t: true,
      f: false,
      arr: [1, 'two', { three: 3 }],
    });
  });

  it('stores priorities and orders by them', async () => {
    await a.setWithPriority(p('prio/x'), 'x', 3);
    await a.setWithPriority(p('prio/y'), { v: 'y' }, 1);
    await a.set(p('prio/z'), 'z');
    await a.setWithPriority(p('prio/w'), 'w', 'b');
    await a.setPriority(p('prio/z'), 2);
    const snap = await b.get(p('prio'), [['orderByPriority']]);
    expect(snap.keys).toEqual(['y', 'z', 'x', 'w']);
    expect((await b.get(p('prio/y'))).priority).toBe(1);
    expect((await b.get(p('prio/w'))).priority).toBe('b');
    const first = await b.get(p('prio'), [
      ['orderByPriority'],
      ['startAt', 2],
      ['limitToFirst', 2],
    ]);
    expect(first.keys).toEqual(['z', 'x']);
  });

  it('moves a 40 kB payload both ways', async () => {
    const big = 'x'.repeat(40_000) + '€';
    const seen: unknown[] = [];
    const off = b.onValue(p('big'), (s) => seen.push(s.val));
    await a.set(p('big'), { big, n: 1 });
    await waitFor(() => seen.some((v) => (v as { n?: number } | null)?.n === 1), 5000, 'big push');
    expect((await b.get(p('big'))).val).toEqual({ big, n: 1 });
    await b.set(p('big2'), big.repeat(2));
    expect((await a.get(p('big2'))).val).toBe(big.repeat(2));
    off();
  });

  it('resolves server timestamps and increments', async () => {
    const before = Date.now();
    await a.set(p('sv/ts'), a.serverTimestamp());
    const ts = (await b.get(p('sv/ts'))).val as number;
    expect(ts).toBeGreaterThanOrEqual(before - 1000);
    expect(ts).toBeLessThanOrEqual(Date.now() + 1000);

    await a.set(p('sv/count'), a.increment(5));
    await Promise.all([a.set(p('sv/count'), a.increment(2)), b.set(p('sv/count'), b.increment(3))]);
    expect((await b.get(p('sv/count'))).val).toBe(10);

    await a.update(p('sv'), { count: a.increment(-1), 'nested/at': a.serverTimestamp() });
    const sv = (await b.get(p('sv'))).val as { count: number; nested: { at: number } };
    expect(sv.count).toBe(9);
    expect(sv.nested.at).toBeGreaterThanOrEqual(before - 1000);
    await a.set(p('sv/str'), 'text');
    await a.set(p('sv/str'), a.increment(1));
    expect((await b.get(p('sv/str'))).val).toBe(1);
  });

  it('serves the listener value that includes server values, not the estimate', async () => {
    const seen: unknown[] = [];
    const off = a.onValue(p('svlisten'), (s) => seen.push(s.val));
    await waitFor(() => seen.length === 1);
    await a.set(p('svlisten'), { n: a.increment(1) });
    await sleep(100);
    off();
    expect(seen).toEqual([null, { n: 1 }]);
  });
});
