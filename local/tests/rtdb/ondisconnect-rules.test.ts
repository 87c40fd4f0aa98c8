// onDisconnect writes are checked against the rules again when they run, as the connection's
// user at that moment (issue 9, finding 2), with the real database.rules.json and both SDKs:
// a write queued while it was allowed cannot rewrite data that has changed since.
import {
  goOffline,
  onDisconnect,
  ref,
  serverTimestamp,
  set,
  update,
  type Database,
} from 'firebase/database';
import { ServerValue, type Database as AdminDatabase } from 'firebase-admin/database';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Clients,
  RULES_FILE,
  freshNs,
  isExternal,
  startTestServer,
  waitFor,
  type TestServer,
} from './helpers';
import { adminClient, type SdkClient } from './sdk';

let server: TestServer;
let clients: Clients;
let owner: SdkClient;
const ns = freshNs('odrules');

beforeAll(async () => {
  server = await startTestServer({ rules: RULES_FILE });
  clients = new Clients(server);
  owner = adminClient(clients.admin(ns));
});
afterEach(async () => {
  await clients.closeAll();
  owner = adminClient(clients.admin(ns));
});
afterAll(async () => {
  await clients.closeAll();
  await server.stop();
});

/** A user's connection through one SDK: queue onDisconnect writes, write, then go offline. */
interface UserConnection {
  queueSet(path: string, value: (now: object) => unknown): Promise<void>;
  set(path: string, value: (now: object) => unknown): Promise<void>;
  /** A multi-path update at the root (a request row goes with its rate-limit slot). */
  update(values: (now: object) => Record<string, unknown>): Promise<void>;
  queueUpdate(values: (now: object) => Record<string, unknown>): Promise<void>;
  goOffline(): void;
}

function webUser(db: Database): UserConnection {
  return {
    queueSet: (path, value) => onDisconnect(ref(db, path)).set(value(serverTimestamp())),
    set: (path, value) => set(ref(db, path), value(serverTimestamp())),
    update: (values) => update(ref(db), values(serverTimestamp())),
    queueUpdate: (values) => onDisconnect(ref(db)).update(values(serverTimestamp())),
    goOffline: () => goOffline(db),
  };
}

function adminUser(db: AdminDatabase): UserConnection {
  return {
    queueSet: (path, value) => db.ref(path).onDisconnect().set(value(ServerValue.TIMESTAMP)),
    set: (path, value) => db.ref(path).set(value(ServerValue.TIMESTAMP)),
    update: (values) => db.ref().update(values(ServerValue.TIMESTAMP)),
    queueUpdate: (values) => db.ref().onDisconnect().update(values(ServerValue.TIMESTAMP)),
    goOffline: () => db.goOffline(),
  };
}

/** Connects as `uid` with custom claims: web SDK with a mock token, admin SDK with authvar. */
function connectAs(kind: 'web' | 'admin', uid: string, claims: object): UserConnection {
  if (kind === 'web')
    return webUser(clients.web(ns, { mockUserToken: { user_id: uid, ...claims } }));
  return adminUser(clients.admin(ns, { uid, token: { ...claims, user_id: uid } }));
}

/** Goes offline and waits until the server has run the connection's onDisconnect writes. */
async function disconnect(user: UserConnection): Promise<void> {
  const before = server.local?.connectionCount ?? 0;
  user.goOffline();
  await waitFor(() => (server.local?.connectionCount ?? 0) < before, 10_000, 'the disconnect');
}

describe.skipIf(isExternal).each(['web', 'admin'] as const)('%s SDK', (kind) => {
  it('a producer cannot rewrite its assign request into a release on disconnect', async () => {
    const id = `req-${kind}`;
    await owner.set('producerAccess/prod-1/comp-1', true);
    const producer = connectAs(kind, 'prod-1', { producer: true });
    const request = (action: string) => (now: object) => ({
      action,
      competitionId: 'comp-1',
      requestedBy: 'prod-1',
      requestedAt: now,
    });
    // A request row goes with one of the producer's rate-limit slots (issue 9, rate limits).
    const [slot, queuedSlot] = kind === 'web' ? ['s0', 's1'] : ['s2', 's3'];
    // Queued while the request id is free: the rules allow creating it then.
    await producer.queueUpdate((now) => ({
      [`vmPool/requests/${id}`]: request('release')(now),
      [`vmPool/requestQuota/prod-1/slots/${queuedSlot}`]: { at: now, requestId: id },
      'vmPool/requestQuota/prod-1/last': { requestId: id, slot: queuedSlot },
    }));
    await producer.update((now) => ({
      [`vmPool/requests/${id}`]: request('assign')(now),
      [`vmPool/requestQuota/prod-1/slots/${slot}`]: { at: now, requestId: id },
      'vmPool/requestQuota/prod-1/last': { requestId: id, slot },
    }));
    await disconnect(producer);
    const row = (await owner.get(`vmPool/requests/${id}`)).val as { action: string };
    expect(row.action).toBe('assign');
  }, 30_000);

  it('an agent cannot rewrite a command it finished; its presence write still runs', async () => {
    const vm = `vm-cmd-${kind}`;
    const cmd = `vmPool/commands/${vm}/cmd-1`;
    await owner.set(`vmPool/vms/${vm}`, { status: 'ready', instanceId: `i-${kind}` });
    await owner.set(cmd, { op: 'check_services', requestedBy: 'ada', requestedAt: Date.now() });
    // Agents sign in bound to their instance (uid agent-{instanceId}, claims vmId + instanceId).
    const agent = connectAs(kind, `agent-i-${kind}`, { vmId: vm, instanceId: `i-${kind}` });
    await agent.queueSet(`${cmd}/claim`, (now) => ({ bootId: 'forged', at: now }));
    await agent.queueSet(`${cmd}/status`, () => 'failed');
    await agent.queueSet(`${cmd}/output`, () => ({ stdout: 'forged' }));
    await agent.queueSet(`vmPool/vms/${vm}/agent`, (now) => ({ online: false, lastSeen: now }));
    await agent.set(`${cmd}/claim`, (now) => ({ bootId: 'boot-1', at: now }));
    await agent.set(`${cmd}/status`, () => 'running');
    await agent.set(`${cmd}/output`, () => ({ stdout: 'all services up' }));
    await agent.set(`${cmd}/status`, () => 'succeeded');
    await disconnect(agent);
    const command = (await owner.get(cmd)).val as {
      claim: { bootId: string };
      status: string;
      output: { stdout: string };
    };
    expect(command.claim.bootId).toBe('boot-1');
    expect(command.status).toBe('succeeded');
    expect(command.output.stdout).toBe('all services up');
    // A refused write is dropped; the others still run.
    expect((await owner.get(`vmPool/vms/${vm}/agent/online`)).val).toBe(false);
  }, 30_000);

  it("an agent's queued presence write does not resurrect its deleted VM record", async () => {
    const vm = `vm-gone-${kind}`;
    await owner.set(`vmPool/vms/${vm}`, { status: 'ready', instanceId: `i-${kind}` });
    // Agents sign in bound to their instance (uid agent-{instanceId}, claims vmId + instanceId).
    const agent = connectAs(kind, `agent-i-${kind}`, { vmId: vm, instanceId: `i-${kind}` });
    await agent.queueSet(`vmPool/vms/${vm}/agent`, (now) => ({ online: false, lastSeen: now }));
    await owner.remove(`vmPool/vms/${vm}`);
    await disconnect(agent);
    expect((await owner.get(`vmPool/vms/${vm}`)).exists).toBe(false);
  }, 30_000);
});
