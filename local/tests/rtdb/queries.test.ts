// Conformance: every query shape through get() and listeners, both SDKs,
// compared with the web SDK filtering the complete data itself.
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clients, freshNs, sleep, startTestServer, type TestServer } from './helpers';
import { adminClient, webClient, type Constraint, type SdkClient, type Snap } from './sdk';

let server: TestServer;
let clients: Clients;
const ns = freshNs('queries');

const ITEMS = {
  a: { n: 3, s: 'x', nested: { v: 1 } },
  b: { n: 1, nested: { v: 3 } },
  c: { n: 2, s: 'a' },
  d: { s: 'b', nested: { v: 2 } },
  e: { n: true },
  f: { n: 'str' },
  g: { n: 2 },
  '1': { n: 5 },
  '10': { n: 0 },
  '2': { n: { obj: 1 } },
  h: { n: false },
  '-5': { n: 2 },
  '007': { n: 2 },
};
const SCORES = { a: 5, b: 3, c: 'x', d: true, e: 3, '5': 1, f: false, g: 3.5, h: 'a' };
const PRIO: Record<string, { v: string; p: string | number | null }> = {
  a: { v: 'a', p: 3 },
  b: { v: 'b', p: 1 },
  c: { v: 'c', p: 'x' },
  d: { v: 'd', p: null },
  e: { v: 'e', p: 1 },
  f: { v: 'f', p: 'a' },
  '3': { v: '3', p: 2 },
};

type Shape = [string, Constraint[]];
const SHAPES: Shape[] = [
  ['items', [['orderByChild', 'n']]],
  [
    'items',
    [
      ['orderByChild', 'n'],
      ['limitToFirst', 3],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'n'],
      ['limitToLast', 3],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'n'],
      ['startAt', 2],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'n'],
      ['startAt', 2, 'g'],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'n'],
      ['endAt', 2],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'n'],
      ['endAt', 2, 'c'],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'n'],
      ['equalTo', 2],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'n'],
      ['equalTo', 2, 'g'],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'n'],
      ['startAfter', 1],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'n'],
      ['startAfter', 2, 'c'],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'n'],
      ['endBefore', 3],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'n'],
      ['endBefore', 3],
      ['limitToLast', 2],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'n'],
      ['startAt', true],
      ['endAt', 'str'],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'n'],
      ['equalTo', null],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'n'],
      ['equalTo', false],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'n'],
      ['startAt', 1],
      ['endAt', 3],
      ['limitToFirst', 2],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'nested/v'],
      ['startAt', 2],
    ],
  ],
  [
    'items',
    [
      ['orderByChild', 'nested/v'],
      ['limitToLast', 1],
    ],
  ],
  ['items', [['orderByKey'], ['startAt', 'b'], ['endAt', 'f']]],
  ['items', [['orderByKey'], ['startAfter', 'b'], ['limitToFirst', 2]]],
  ['items', [['orderByKey'], ['endBefore', 'c']]],
  ['items', [['orderByKey'], ['limitToLast', 2]]],
  ['items', [['orderByKey'], ['equalTo', '10']]],
  ['items', [['orderByKey'], ['startAt', '1'], ['endAt', '2']]],
  ['scores', [['orderByValue']]],
  ['scores', [['orderByValue'], ['startAt', 3], ['limitToFirst', 3]]],
  ['scores', [['orderByValue'], ['endAt', 3]]],
  ['scores', [['orderByValue'], ['startAfter', 3], ['limitToLast', 4]]],
  ['scores', [['orderByValue'], ['equalTo', 3, 'e']]],
  ['scores', [['orderByValue'], ['startAt', false], ['endBefore', 3]]],
  ['scores', [['orderByValue'], ['startAt', 'a']]],
  ['prio', [['orderByPriority'], ['startAt', 1], ['endAt', 3]]],
  ['prio', [['orderByPriority'], ['limitToFirst', 2]]],
  ['prio', [['orderByPriority'], ['startAt', 'a']]],
  ['prio', [['orderByPriority'], ['startAt', 1, 'c'], ['limitToFirst', 3]]],
  ['prio', [['limitToFirst', 3]]],
  ['prio', [['limitToLast', 2]]],
  ['prio', [['startAt', 2]]],
  ['prio', [['endAt', null]]],
];

const MUTATIONS: [string, (w: SdkClient) => Promise<void>][] = [
  ['move b up', (w) => w.set('items/b/n', 10)],
  ['remove c (inside windows)', (w) => w.remove('items/c')],
  ['add new', (w) => w.set('items/new', { n: 2, nested: { v: 5 } })],
  [
    'multi-path update',
    (w) =>
      w.update('/', { 'items/a': null, 'items/g/n': 0, 'items/z': { n: 1.5 }, 'scores/e': 'e' }),
  ],
  ['scores change', (w) => w.update('scores', { a: null, b: 3, x: 3, y: 0 })],
  ['priorities change', (w) => w.setPriority('prio/d', 0.5)],
  ['prio add', (w) => w.setWithPriority('prio/n', 'n', 1)],
  ['prio remove', (w) => w.remove('prio/b')],
  ['replace items', (w) => w.set('items', { q: { n: 2 }, r: { n: 1 }, s: { n: 3 } })],
];

function label(shape: Shape): string {
  return `${shape[0]} ${shape[1]
    .map(
      (c) =>
        `${c[0]}(${c
          .slice(1)
          .map((x) => JSON.stringify(x))
          .join(',')})`,
    )
    .join('.')}`;
}

let writer: SdkClient;
let reference: SdkClient;

beforeAll(async () => {
  server = await startTestServer();
  clients = new Clients(server);
  writer = adminClient(clients.admin(ns));
  await writer.set('items', ITEMS);
  await writer.set('scores', SCORES);
  for (const [key, { v, p }] of Object.entries(PRIO))
    await writer.setWithPriority(`prio/${key}`, v, p);
  // The reference client holds complete data (default listens) and filters locally.
  reference = webClient(clients.web(ns));
  const ready = new Set<string>();
  for (const path of ['items', 'scores', 'prio']) reference.onValue(path, () => ready.add(path));
  while (ready.size < 3) await sleep(10);
});
afterAll(async () => {
  await clients.closeAll();
  await server.stop();
});

function view(s: Snap): { keys: string[]; val: unknown } {
  return { keys: s.keys, val: s.val };
}

describe.each(['web', 'admin'] as const)('%s SDK', (kind) => {
  it('get() honours every query shape', async () => {
    const subject = kind === 'web' ? webClient(clients.web(ns)) : adminClient(clients.admin(ns));
    for (const shape of SHAPES) {
      const expected = view(await reference.get(shape[0], shape[1]));
      const actual = view(await subject.get(shape[0], shape[1]));
      expect(actual, label(shape)).toEqual(expected);
    }
  });

  it('listeners on every query shape follow mutations', async () => {
    await writer.set('items', ITEMS);
    await writer.set('scores', SCORES);
    await sleep(50);
    const subject = kind === 'web' ? webClient(clients.web(ns)) : adminClient(clients.admin(ns));
    const latest = new Map<number, Snap>();
    const refLatest = new Map<number, Snap>();
    const offs = SHAPES.flatMap((shape, i) => [
      subject.onValue(shape[0], (s) => latest.set(i, s), shape[1]),
      reference.onValue(shape[0], (s) => refLatest.set(i, s), shape[1]),
    ]);
    const allAgree = (): boolean =>
      SHAPES.every((_shape, i) => {
        const ref = refLatest.get(i);
        const got = latest.get(i);
        return ref !== undefined && got !== undefined && isDeepStrictEqual(view(got), view(ref));
      });
    const compareAll = async (step: string): Promise<void> => {
      // Let pushes arrive (a loaded machine may take a while), then compare every shape.
      await sleep(30);
      const deadline = Date.now() + 3000;
      while (!allAgree() && Date.now() < deadline) await sleep(20);
      SHAPES.forEach((shape, i) => {
        const ref = refLatest.get(i);
        const got = latest.get(i);
        expect(ref, `${step}: reference ${label(shape)}`).toBeDefined();
        expect(got && view(got), `${step}: ${label(shape)}`).toEqual(ref && view(ref));
      });
    };
    await compareAll('initial');
    for (const [step, mutate] of MUTATIONS) {
      await mutate(writer);
      await compareAll(step);
    }
    offs.forEach((off) => off());
  });
});
