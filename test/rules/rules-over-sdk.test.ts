// End to end: representative matrix cases replayed through the real firebase web SDK
// (connectDatabaseEmulator + mockUserToken, i.e. signed-in users with custom claims)
// against the local RTDB server enforcing database.rules.json.
import { fileURLToPath } from 'node:url';
import {
  deleteApp as deleteAdminApp,
  initializeApp as initializeAdminApp,
} from 'firebase-admin/app';
import { getDatabase as getAdminDatabase } from 'firebase-admin/database';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import {
  connectDatabaseEmulator,
  equalTo,
  get,
  orderByChild,
  query,
  getDatabase,
  ref,
  runTransaction,
  set,
  update,
  type Database,
} from 'firebase/database';
import type { App as AdminApp } from 'firebase-admin/app';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { agentRunCases, commandCreateCases } from './commands.cases';
import { alertCases, competitionCases } from './competitions.cases';
import { NOW, ROOT, SERVER_TIMESTAMP, UID } from './fixture';
import { caseName, quotaClaim, ROLES, RULES_PATH, type Role, type RuleCase } from './matrix';
import { agentReportCases, configCases, vmCases } from './pool.cases';
import { requestCreateCases, requestReadCases } from './requests.cases';
import { requestQuotaCases } from './limits.cases';

/** The part of `@vmpool/local/rtdb` this test uses. */
interface RtdbServer {
  readonly port: number;
  databaseUrl(ns: string): string;
  stop(): Promise<void>;
}
interface LocalRtdb {
  startRtdbServer(options: {
    port: number;
    quiet: boolean;
    rules: string;
    clock: () => number;
  }): Promise<RtdbServer>;
}

/**
 * Imported by a non-literal specifier so that TypeScript does not type-check local's
 * sources inside this workspace: their targaryen typings are an ambient declaration that
 * only local's own tsconfig includes.
 */
async function loadLocalRtdb(): Promise<LocalRtdb> {
  const specifier = '@vmpool/local/rtdb';
  return (await import(specifier)) as LocalRtdb;
}

const NS = 'vmpool-rules';
const TIMEOUT_MS = 30_000;

function pick(cases: readonly RuleCase[], who: Role, why: string): RuleCase {
  const found = cases.find((ruleCase) => ruleCase.who === who && ruleCase.why === why);
  if (found === undefined) throw new Error(`no matrix case for ${who}: ${why}`);
  return found;
}

const REPLAYED: RuleCase[] = [
  pick(vmCases, 'producer', 'producers cannot list the whole pool'),
  pick(vmCases, 'producer', 'a producer lists the VMs assigned to its competition'),
  pick(vmCases, 'producer', 'vm-001 is assigned to comp-a: its producer reads the record'),
  pick(vmCases, 'producer', 'a free VM is nobody’s: no address or report for producers'),
  // Issue 9, rate limits: a row needs a free slot claimed in the same update.
  pick(requestQuotaCases, 'producer', 'a slot older than the window is free again'),
  pick(
    requestQuotaCases,
    'producer',
    'the reproduced attack: a bare request row, no slot claimed, is refused',
  ),
  pick(requestQuotaCases, 'producer', 'a slot used 15 s ago is still inside the minute'),
  pick(
    requestQuotaCases,
    'producer',
    'one slot admits one row: two rows in one update are refused',
  ),
  pick(configCases, 'noClaim', 'no claim, no access'),
  pick(configCases, 'admin', 'minWarmVMs may not exceed maxTotalVMs (5)'),
  pick(
    requestCreateCases,
    'producer',
    'assign for an own competition, stamped with the server time',
  ),
  pick(requestCreateCases, 'producer', 'comp-b is not this producer’s competition'),
  pick(requestCreateCases, 'producer', 'VM actions are admin-only'),
  pick(requestReadCases, 'producer', 'the requester follows progress in result'),
  pick(requestReadCases, 'producer', 'another producer’s request'),
  pick(commandCreateCases, 'admin', 'view_logs with a unit and the maximum line count'),
  pick(commandCreateCases, 'admin', 'lines is at most 500'),
  pick(agentReportCases, 'agent', 'heartbeat with a server timestamp'),
  pick(agentReportCases, 'agent', 'vm-001 cannot report for vm-002'),
  pick(agentRunCases, 'agent', 'the agent reports the outcome of its run'),
  pick(agentRunCases, 'agent', 'stdout is capped at 24000 characters'),
  pick(competitionCases, 'admin', 'vmAddress is written by the control plane on assignment'),
  pick(alertCases, 'producer', 'a producer acknowledges its competition’s alert'),
  pick(alertCases, 'anonymous', 'no claim for this competition'),
  // The review's attacks (issue 9), kept as tests over the SDK too.
  pick(alertCases, 'producer', 'an acknowledgement is not overwritten (the reproduced attack)'),
  pick(alertCases, 'producer', 'the three fields go together'),
  pick(agentReportCases, 'agent', 'an agent cannot delete its own report'),
  pick(
    agentReportCases,
    'formerAgent',
    'a token of another (terminated) instance, or naming no instance, cannot report for vm-001',
  ),
  pick(agentRunCases, 'formerAgent', 'nor claim its commands'),
];

let server: RtdbServer;
let adminApp: AdminApp;
const webApps: FirebaseApp[] = [];
const clients = new Map<Role, Database>();

/** A web SDK client signed in as `role` (a mock ID token carrying its claims). */
function connect(role: Role): Database {
  const auth = ROLES[role];
  const app = initializeApp(
    { databaseURL: `https://${NS}.firebaseio.com`, projectId: 'demo-vmpool' },
    `rules-${role}`,
  );
  webApps.push(app);
  const db = getDatabase(app);
  connectDatabaseEmulator(
    db,
    '127.0.0.1',
    server.port,
    auth === null ? {} : { mockUserToken: { ...auth.token, user_id: auth.uid, sub: auth.uid } },
  );
  return db;
}

function client(role: Role): Database {
  const db = clients.get(role);
  if (db === undefined) throw new Error(`no client for ${role}`);
  return db;
}

/** Resolves to 'allow', or 'deny' when the server answered with a permission error. */
async function verdict(operation: Promise<unknown>): Promise<'allow' | 'deny'> {
  try {
    await operation;
    return 'allow';
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/permission.denied/i.test(message)) return 'deny';
    throw error;
  }
}

function run(ruleCase: RuleCase): Promise<unknown> {
  const db = client(ruleCase.who);
  const target = ref(db, ruleCase.path);
  switch (ruleCase.op) {
    case 'read':
      if (ruleCase.query?.orderByChild !== undefined && ruleCase.query.equalTo !== undefined) {
        return get(
          query(target, orderByChild(ruleCase.query.orderByChild), equalTo(ruleCase.query.equalTo)),
        );
      }
      return get(target);
    case 'write':
      if (ruleCase.alsoWrites !== undefined) {
        return update(ref(db), { [ruleCase.path]: ruleCase.data ?? null, ...ruleCase.alsoWrites });
      }
      return set(target, ruleCase.data ?? null);
    case 'update':
      return update(target, ruleCase.data as Record<string, unknown>);
  }
}

beforeAll(async () => {
  const { startRtdbServer } = await loadLocalRtdb();
  server = await startRtdbServer({
    port: 0,
    quiet: true,
    rules: fileURLToPath(RULES_PATH),
    clock: () => NOW,
  });
  adminApp = initializeAdminApp(
    { databaseURL: server.databaseUrl(NS), projectId: 'demo-vmpool' },
    'rules-control-plane',
  );
  for (const role of Object.keys(ROLES) as Role[]) clients.set(role, connect(role));
}, TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(webApps.map((app) => deleteApp(app)));
  if (adminApp !== undefined) await deleteAdminApp(adminApp);
  if (server !== undefined) await server.stop();
}, TIMEOUT_MS);

// Every case starts from the fixture, written by the control plane (admin SDK, no rules).
beforeEach(async () => {
  await getAdminDatabase(adminApp).ref().set(ROOT);
}, TIMEOUT_MS);

describe('matrix cases through the firebase SDK and the local RTDB server', () => {
  it('replays enough representative cases, allows and denials', () => {
    expect(REPLAYED.length).toBeGreaterThanOrEqual(10);
    expect(REPLAYED.filter((ruleCase) => ruleCase.expect === 'deny').length).toBeGreaterThan(4);
  });

  for (const ruleCase of REPLAYED) {
    it(
      caseName(ruleCase),
      async () => {
        expect(await verdict(run(ruleCase))).toBe(ruleCase.expect);
      },
      TIMEOUT_MS,
    );
  }

  it(
    'stores the server time as requestedAt of an allowed request',
    async () => {
      const path = 'vmPool/requests/req-e2e';
      await update(ref(client('producer')), {
        [path]: {
          action: 'assign',
          competitionId: 'comp-a',
          requestedBy: UID.producerA,
          requestedAt: SERVER_TIMESTAMP,
        },
        ...quotaClaim(UID.producerA, 'req-e2e'),
      });
      const stored = await getAdminDatabase(adminApp).ref(`${path}/requestedAt`).get();
      expect(stored.val()).toBe(NOW);
    },
    TIMEOUT_MS,
  );

  it(
    'lets the agent claim a command once by transaction, and never again',
    async () => {
      const claimPath = 'vmPool/commands/vm-001/cmd-queued/claim';
      const claim = { bootId: 'boot-vm-001-7f3a', at: NOW };
      const first = await runTransaction(ref(client('agent'), claimPath), (current: unknown) =>
        current === null ? claim : undefined,
      );
      expect(first.committed).toBe(true);
      const second = await runTransaction(ref(client('agent'), claimPath), (current: unknown) =>
        current === null ? { ...claim, bootId: 'boot-other' } : undefined,
      );
      expect(second.committed).toBe(false);
      expect(await verdict(set(ref(client('agent'), claimPath), { ...claim, bootId: 'x' }))).toBe(
        'deny',
      );
      const stored = await getAdminDatabase(adminApp).ref(claimPath).get();
      expect(stored.val()).toEqual(claim);
    },
    TIMEOUT_MS,
  );
});
