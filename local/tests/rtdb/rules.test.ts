// Conformance: security rules for every auth mode, through both SDKs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Clients,
  freshNs,
  sleep,
  startTestServer,
  unsignedJwt,
  waitFor,
  type TestServer,
} from './helpers';
import { RawClient } from './raw';
import { adminClient, webClient, type SdkClient } from './sdk';

const RULES = {
  rules: {
    public: { '.read': true, '.write': true },
    admins: {
      '.read': 'auth != null && auth.token.admin === true',
      '.write': 'auth != null && auth.token.admin === true',
    },
    users: {
      $uid: {
        '.read': 'auth != null && auth.uid === $uid',
        '.write': 'auth != null && auth.uid === $uid',
      },
    },
    vms: {
      '.read': 'auth != null',
      $vmId: {
        '.write': 'auth != null && (auth.token.vmId === $vmId || auth.token.admin === true)',
        '.validate': "newData.hasChildren(['status'])",
        status: { '.validate': 'newData.isString()' },
      },
    },
    requests: {
      '.read':
        "auth != null && (auth.token.admin === true || (query.orderByChild === 'owner' && query.equalTo === auth.uid))",
    },
    producers: {
      '.write': 'auth != null && auth.token.producer === true',
      '.read': 'auth != null && auth.token.producer === true',
    },
  },
};

let server: TestServer;
let clients: Clients;
const ns = freshNs('rules');
let owner: SdkClient;

beforeAll(async () => {
  server = await startTestServer();
  await server.setRules(RULES, ns);
  clients = new Clients(server);
  owner = adminClient(clients.admin(ns));
  await owner.set('admins/secret', 's');
  await owner.set('users', { u1: { name: 'one' }, u2: { name: 'two' } });
  await owner.set('vms/vm-1', { status: 'idle' });
});
afterAll(async () => {
  await clients.closeAll();
  await server.stop();
});

async function allowedRead(c: SdkClient, path: string): Promise<boolean> {
  return c.get(path).then(
    () => true,
    () => false,
  );
}
async function allowedWrite(c: SdkClient, path: string, value: unknown): Promise<boolean> {
  return c.set(path, value).then(
    () => true,
    () => false,
  );
}

interface Mode {
  readonly name: string;
  readonly make: () => SdkClient;
  /** [path, read allowed, write allowed] */
  readonly expect: [string, boolean, boolean][];
}

const modes: Mode[] = [
  {
    name: 'admin owner (bypasses rules)',
    make: () => adminClient(clients.admin(ns)),
    expect: [
      ['public/x', true, true],
      ['admins/x', true, true],
      ['users/u2', true, true],
      ['elsewhere', true, true],
    ],
  },
  {
    name: 'admin owner + authvar',
    make: () => adminClient(clients.admin(ns, { uid: 'u1', token: { admin: true } })),
    expect: [
      ['public/x', true, true],
      ['admins/x', true, true],
      ['users/u1', true, true],
      ['users/u2', false, false],
      ['elsewhere', false, false],
    ],
  },
  {
    name: 'admin owner + noauth',
    make: () => adminClient(clients.admin(ns, null)),
    expect: [
      ['public/x', true, true],
      ['admins/x', false, false],
      ['users/u1', false, false],
    ],
  },
  {
    name: 'web mockUserToken with admin claim',
    make: () => webClient(clients.web(ns, { mockUserToken: { user_id: 'u1', admin: true } })),
    expect: [
      ['public/x', true, true],
      ['admins/x', true, true],
      ['users/u1', true, true],
      ['users/u2', false, false],
      ['producers/x', false, false],
    ],
  },
  {
    name: 'web mockUserToken with producer claim',
    make: () => webClient(clients.web(ns, { mockUserToken: { user_id: 'p1', producer: true } })),
    expect: [
      ['producers/x', true, true],
      ['admins/x', false, false],
      ['users/p1', true, true],
    ],
  },
  {
    name: 'web unauthenticated',
    make: () => webClient(clients.web(ns)),
    expect: [
      ['public/x', true, true],
      ['admins/x', false, false],
      ['users/u1', false, false],
      ['vms', false, false],
    ],
  },
  {
    name: 'web via connectDatabaseEmulator without a token',
    make: () => webClient(clients.web(ns, { viaEmulatorApi: true })),
    expect: [
      ['public/x', true, true],
      ['admins/x', false, false],
    ],
  },
];

describe.each(modes)('$name', (mode) => {
  let c: SdkClient;
  beforeAll(() => {
    c = mode.make();
  });
  it.each(mode.expect)('%s: read %s, write %s', async (path, read, write) => {
    expect(await allowedRead(c, path)).toBe(read);
    expect(await allowedWrite(c, path, { status: 'w', t: 1 })).toBe(write);
  });
});

describe('rules details', () => {
  it('enforces .validate and custom vmId claims', async () => {
    const vm = webClient(clients.web(ns, { mockUserToken: { user_id: 'vm-1', vmId: 'vm-1' } }));
    expect(await allowedWrite(vm, 'vms/vm-1', { status: 'ready' })).toBe(true);
    expect(await allowedWrite(vm, 'vms/vm-1', { other: 1 })).toBe(false);
    expect(await allowedWrite(vm, 'vms/vm-1/status', 5)).toBe(false);
    expect(await allowedWrite(vm, 'vms/vm-2', { status: 'ready' })).toBe(false);
    expect(await allowedRead(vm, 'vms')).toBe(true);
  });

  it('denies a multi-path update as a whole when one path is denied', async () => {
    const user = webClient(clients.web(ns, { mockUserToken: { user_id: 'u1' } }));
    const ok = await user.update('/', { 'users/u1/a': 1, 'public/a': 1 }).then(
      () => true,
      () => false,
    );
    expect(ok).toBe(true);
    const denied = await user.update('/', { 'users/u1/b': 2, 'admins/b': 2 }).then(
      () => true,
      () => false,
    );
    expect(denied).toBe(false);
    expect((await owner.get('users/u1/b')).exists).toBe(false);
    expect((await owner.get('admins/b')).exists).toBe(false);
  });

  it('cancels a denied listener', async () => {
    const anon = webClient(clients.web(ns));
    let error: Error | null = null;
    anon.onValue(
      'admins',
      () => undefined,
      [],
      (e) => {
        error = e;
      },
    );
    await waitFor(() => error !== null, 5000, 'listen cancelled');
    expect(String(error)).toMatch(/permission/i);
  });

  it('denies a transaction on a protected path', async () => {
    const anon = webClient(clients.web(ns));
    await expect(
      anon.transaction('admins/counter', (v) => ((v as number) ?? 0) + 1),
    ).rejects.toThrow();
  });

  it('evaluates query-based read rules (query.orderByChild / query.equalTo)', async () => {
    await owner.set('requests', { r1: { owner: 'u1' }, r2: { owner: 'u2' }, r3: { owner: 'u1' } });
    const user = webClient(clients.web(ns, { mockUserToken: { user_id: 'u1' } }));
    const mine = await user.get('requests', [
      ['orderByChild', 'owner'],
      ['equalTo', 'u1'],
    ]);
    expect(mine.keys).toEqual(['r1', 'r3']);
    await expect(
      user.get('requests', [
        ['orderByChild', 'owner'],
        ['equalTo', 'u2'],
      ]),
    ).rejects.toThrow();
    await expect(user.get('requests')).rejects.toThrow();
    const seen: string[][] = [];
    user.onValue('requests', (s) => seen.push(s.keys), [
      ['orderByChild', 'owner'],
      ['equalTo', 'u1'],
    ]);
    await waitFor(() => seen.length > 0, 5000, 'query listener');
    await owner.set('requests/r4', { owner: 'u1' });
    await waitFor(() => seen.at(-1)?.length === 3, 5000, 'query listener update');
    let denied: Error | null = null;
    user.onValue(
      'requests',
      () => undefined,
      [],
      (e) => (denied = e),
    );
    await waitFor(() => denied !== null, 5000, 'unfiltered listener denied');
  });

  it('revokes listens the new auth may not read', async () => {
    const raw = await RawClient.connect(server.port, ns);
    try {
      expect((await raw.request('auth', { cred: unsignedJwt({ sub: 'u1', admin: true }) })).s).toBe(
        'ok',
      );
      expect((await raw.request('q', { p: '/admins', h: '' })).s).toBe('ok');
      const q = { i: '.key', l: 1, vf: 'l' };
      expect((await raw.request('q', { p: '/admins', q, t: 3, h: '' })).s).toBe('ok');
      expect((await raw.request('q', { p: '/public', h: '' })).s).toBe('ok');
      expect((await raw.request('unauth', {})).s).toBe('ok');
      const revoked = raw.messages.filter((m) => m.t === 'd' && m.d.a === 'c').map((m) => m.d.b);
      expect(revoked).toEqual([{ p: '/admins' }, { p: '/admins', q: [q] }]);
    } finally {
      raw.close();
    }
  });

  it('revokes listeners the reloaded rules no longer allow', async () => {
    const user = webClient(clients.web(ns, { mockUserToken: { user_id: 'u1' } }));
    let error: Error | null = null;
    const seen: unknown[] = [];
    user.onValue(
      'users/u1',
      (s) => seen.push(s.val),
      [],
      (e) => (error = e),
    );
    await waitFor(() => seen.length > 0, 5000, 'allowed listener');
    const { users: _users, ...withoutUsers } = RULES.rules;
    await server.setRules({ rules: withoutUsers }, ns);
    await waitFor(() => error !== null, 5000, 'listener revoked');
    expect(String(error)).toMatch(/permission/i);
    await server.setRules(RULES, ns);
  });

  it('reloads rules while running', async () => {
    const anon = webClient(clients.web(ns));
    expect(await allowedWrite(anon, 'later/x', 1)).toBe(false);
    await server.setRules(
      { rules: { ...RULES.rules, later: { '.read': true, '.write': true } } },
      ns,
    );
    expect(await allowedWrite(anon, 'later/x', 1)).toBe(true);
    await server.setRules(RULES, ns);
    await sleep(10);
    expect(await allowedWrite(anon, 'later/x', 2)).toBe(false);
  });
});
