// Listens whose read rule depends on stored data are revoked when that data changes (issue 9,
// finding 6): the server sends `c`, the SDK calls the listener's cancel callback with
// permission_denied, and no further data reaches it. With the real database.rules.json
// (a producer losing producerAccess) and with small rules for the finer points.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Clients,
  RULES_FILE,
  freshNs,
  isExternal,
  sleep,
  startTestServer,
  waitFor,
  type TestServer,
} from './helpers';
import { adminClient, webClient, type SdkClient } from './sdk';

let server: TestServer;
let clients: Clients;

beforeAll(async () => {
  server = await startTestServer({ rules: RULES_FILE });
  clients = new Clients(server);
});
afterEach(async () => {
  await clients.closeAll();
});
afterAll(async () => {
  await server.stop();
});

interface Watch {
  readonly values: unknown[];
  readonly errors: Error[];
}

function watch(client: SdkClient, path: string): Watch {
  const w: Watch = { values: [], errors: [] };
  client.onValue(
    path,
    (s) => w.values.push(s.val),
    [],
    (e) => w.errors.push(e),
  );
  return w;
}

function asUser(kind: 'web' | 'admin', ns: string, uid: string, claims: object): SdkClient {
  if (kind === 'web') {
    return webClient(clients.web(ns, { mockUserToken: { user_id: uid, ...claims } }));
  }
  return adminClient(clients.admin(ns, { uid, token: { ...claims, user_id: uid } }));
}

describe.skipIf(isExternal).each(['web', 'admin'] as const)('%s SDK', (kind) => {
  it("a producer's listens end when its producerAccess is deleted, and get nothing after", async () => {
    const ns = freshNs('revoke');
    const owner = adminClient(clients.admin(ns));
    await owner.set('producerAccess/prod-1/comp-1', true);
    await owner.set('competitions/comp-1/config', { vmId: 'vm-001', vmAddress: '10.0.0.1' });
    await owner.set('alerts/comp-1/a1', { sourceId: 'vm-001', message: 'first' });
    const producer = asUser(kind, ns, 'prod-1', { producer: true });
    const competition = watch(producer, 'competitions/comp-1');
    const alerts = watch(producer, 'alerts/comp-1');
    await waitFor(
      () => competition.values.length === 1 && alerts.values.length === 1,
      10_000,
      'the first values',
    );
    expect(competition.values[0]).toMatchObject({ config: { vmAddress: '10.0.0.1' } });

    await owner.remove('producerAccess/prod-1');
    await waitFor(
      () => competition.errors.length === 1 && alerts.errors.length === 1,
      10_000,
      'the cancel callbacks',
    );
    expect(String(competition.errors[0])).toMatch(/permission_denied/i);
    expect(String(alerts.errors[0])).toMatch(/permission_denied/i);

    await owner.set('competitions/comp-1/config/vmAddress', '10.0.0.2');
    await owner.set('alerts/comp-1/a2', { sourceId: 'vm-001', message: 'second' });
    await sleep(300);
    expect(JSON.stringify([competition.values, alerts.values])).not.toMatch(/10\.0\.0\.2|second/);
    // Reading again is refused too.
    await expect(producer.get('competitions/comp-1')).rejects.toThrow(/permission/i);
  }, 30_000);
});

describe.skipIf(isExternal)('revocation details', () => {
  const RULES = {
    rules: {
      members: { '.read': true, '.write': true },
      room: {
        '.read': "auth != null && root.child('members/' + auth.uid).val() === true",
        '.write': true,
      },
      lobby: { '.read': 'auth != null', '.write': true },
    },
  };

  it('revokes only what the data change denies, query listens included; granting again needs a new listen', async () => {
    const ns = freshNs('revoke2');
    await server.setRules(RULES, ns);
    const owner = adminClient(clients.admin(ns));
    await owner.set('members/u1', true);
    await owner.set('room', { a: { n: 1 }, b: { n: 2 } });
    await owner.set('lobby', 'open');
    const user = webClient(clients.web(ns, { mockUserToken: { user_id: 'u1' } }));
    const room = watch(user, 'room');
    const lobby = watch(user, 'lobby');
    const top: Error[] = [];
    user.onValue(
      'room',
      () => undefined,
      [
        ['orderByChild', 'n'],
        ['limitToLast', 1],
      ],
      (e) => top.push(e),
    );
    await waitFor(() => room.values.length === 1 && lobby.values.length === 1, 10_000, 'values');

    // A write that leaves the rule's answer unchanged revokes nothing.
    await owner.set('members/u2', true);
    await owner.set('room/c', { n: 3 });
    await waitFor(() => room.values.length === 2, 10_000, 'the allowed update');

    await owner.set('members/u1', false);
    await waitFor(() => room.errors.length === 1 && top.length === 1, 10_000, 'revocation');
    await owner.set('lobby', 'still open');
    await waitFor(() => lobby.values.includes('still open'), 10_000, 'the lobby listen');
    expect(lobby.errors).toEqual([]);

    // Membership back: the cancelled listen stays cancelled; a new one works.
    await owner.set('members/u1', true);
    await owner.set('room/d', { n: 4 });
    await sleep(200);
    expect(room.values).toHaveLength(2);
    const again = watch(user, 'room');
    await waitFor(() => again.values.length === 1, 10_000, 'a new listen');
    expect(again.values[0]).toMatchObject({ d: { n: 4 } });
  }, 30_000);
});
