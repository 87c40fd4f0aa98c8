// The producers' show-controller (Isaac-Hammett/gymnastics-graphics, show-controller/) as
// vmpool's database sees it: the firebase web SDK, never signed in, making the same calls on
// the same paths (SHOW_CONTROLLER_ACCESS in @vmpool/tools/rules lists them with their source
// lines) against the local RTDB server enforcing each rules profile. Its code is not here,
// only the facts read from it: the calls, and the alert fields its alert panel shows.
import {
  alertFromDraft,
  DEFAULT_POOL_CONFIG,
  deriveAlerts,
  parseAgentReport,
  parseVmRecord,
  POOL_ALERT_SCOPE,
  type Alert,
  type VmRecord,
} from '@vmpool/core';
import {
  rulesForProfile,
  SHOW_CONTROLLER_ACCESS,
  type RulesProfile,
  type ShowControllerAccess,
} from '@vmpool/tools/rules';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import {
  connectDatabaseEmulator,
  get,
  getDatabase,
  onValue,
  ref,
  serverTimestamp,
  update,
  type Database,
} from 'firebase/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The part of `@vmpool/local/rtdb` this test uses. */
interface RtdbServer {
  readonly port: number;
  databaseUrl(ns: string): string;
  importData(ns: string, data: unknown): void;
  exportData(ns: string): unknown;
  stop(): Promise<void>;
}
interface LocalRtdb {
  startRtdbServer(options: { port: number; quiet: boolean; rules: object }): Promise<RtdbServer>;
}

/** Loaded by a non-literal specifier: local's sources are type-checked in local only. */
async function loadLocalRtdb(): Promise<LocalRtdb> {
  const specifier = '@vmpool/local/rtdb';
  return (await import(specifier)) as LocalRtdb;
}

const NS = 'demo-vmpool';
const TIMEOUT_MS = 30_000;
const COMP = 'state-champs-w-2026';
const OTHER_COMP = 'winter-invitational-m-2026';
const VM = 'vm-001';
const VM_ADDRESS = '127.0.1.2:3003';
const PRODUCER_UID = 'u-producer';
const NOW = Date.now();

/** A VM that vmpool assigned to COMP, whose show server has lost OBS (a critical alert). */
function assignedVm(): VmRecord {
  const agent = parseAgentReport({
    online: true,
    lastSeen: NOW - 2_000,
    services: {
      showServer: { state: 'up', checkedAt: NOW - 2_000, port: 3003 },
      obsWebsocket: { state: 'down', checkedAt: NOW - 2_000, port: 4455 },
    },
    show: {
      reachable: true,
      obsConnected: false,
      obsIsStreaming: false,
      obsIsRecording: false,
      obsCurrentScene: null,
      connectedClients: 1,
      latencyMs: 3,
      checkedAt: NOW - 2_000,
    },
  });
  const vm = parseVmRecord({
    vmId: VM,
    instanceId: 'local-vm-001',
    region: 'us-east-1',
    status: 'assigned',
    statusChangedAt: NOW - 60_000,
    ec2State: 'running',
    publicIp: '127.0.1.2',
    assignedTo: COMP,
    assignedAt: NOW - 60_000,
    createdAt: NOW - 86_400_000,
  });
  if (!agent.ok || !vm.ok) throw new Error('fixture VM does not parse');
  return { ...vm.value, agent: agent.value };
}

/** The alerts the control plane writes for that pool: core's derivation and shape. */
function derivedAlerts(): Record<string, Record<string, Alert>> {
  const changes = deriveAlerts({
    vms: [assignedVm()],
    activeAlerts: [],
    config: { ...DEFAULT_POOL_CONFIG },
    now: NOW,
  });
  const byScope: Record<string, Record<string, Alert>> = {};
  changes.create.forEach((draft, index) => {
    const id = `alert-${index}`;
    byScope[draft.scope] = { ...byScope[draft.scope], [id]: alertFromDraft(draft, id) };
  });
  return byScope;
}

const ALERTS = derivedAlerts();

/** The database after vmpool assigned VM to COMP, as the control plane leaves it. */
const DATA = {
  competitions: {
    [COMP]: {
      config: {
        eventName: 'State Championships',
        gender: 'womens',
        meetDate: '2026-03-14',
        venue: 'Field House',
        vmId: VM,
        vmAddress: VM_ADDRESS,
      },
    },
    [OTHER_COMP]: { config: { eventName: 'Winter Invitational', gender: 'mens' } },
  },
  alerts: ALERTS,
  vmPool: {
    config: { minWarmVMs: 2, maxTotalVMs: 5 },
    vms: { [VM]: { ...assignedVm(), agent: null } },
  },
  producerAccess: { [PRODUCER_UID]: { [COMP]: true } },
};

/** Where each of the app's reads lands, per profile (hand-written expectations). */
const EXPECTED_READS: Record<RulesProfile, Record<string, 'allow' | 'deny'>> = {
  compat: {
    'competitions/{compId}/config': 'allow',
    'alerts/{compId}': 'allow',
    competitions: 'allow',
    'vmPool/vms': 'deny',
    'vmPool/config': 'deny',
  },
  strict: {
    'competitions/{compId}/config': 'deny',
    'alerts/{compId}': 'deny',
    competitions: 'deny',
    'vmPool/vms': 'deny',
    'vmPool/config': 'deny',
  },
};

const concrete = (path: string) => path.replace('{compId}', COMP);

type Outcome = { verdict: 'allow'; value: unknown } | { verdict: 'deny'; message: string };

function isPermissionDenied(error: unknown): string | null {
  const message = error instanceof Error ? error.message : String(error);
  return /permission.denied/i.test(message) ? message : null;
}

/** The app's read with the app's SDK call: a listener (onValue) or a one-off get. */
function read(db: Database, access: ShowControllerAccess): Promise<Outcome> {
  const target = ref(db, concrete(access.path));
  if (access.call.startsWith('get(')) {
    return get(target).then(
      (snapshot): Outcome => ({ verdict: 'allow', value: snapshot.val() }),
      (error: unknown): Outcome => {
        const message = isPermissionDenied(error);
        if (message === null) throw error;
        return { verdict: 'deny', message };
      },
    );
  }
  return new Promise((resolve, reject) => {
    const unsubscribe = onValue(
      target,
      (snapshot) => {
        unsubscribe();
        resolve({ verdict: 'allow', value: snapshot.val() });
      },
      (error) => {
        const message = isPermissionDenied(error);
        if (message === null) reject(error);
        else resolve({ verdict: 'deny', message });
      },
    );
  });
}

async function write(operation: Promise<unknown>): Promise<'allow' | 'deny'> {
  try {
    await operation;
    return 'allow';
  } catch (error) {
    if (isPermissionDenied(error) === null) throw error;
    return 'deny';
  }
}

const apps: FirebaseApp[] = [];
const servers: RtdbServer[] = [];

/** Exactly as the show-controller is pointed at the local stack: its databaseURL. */
function showController(server: RtdbServer, name: string): Database {
  const app = initializeApp({ databaseURL: server.databaseUrl(NS), projectId: NS }, name);
  apps.push(app);
  return getDatabase(app);
}

/** The show-controller with the sign-in patch, signed in as a producer of COMP. */
function signedInProducer(server: RtdbServer, name: string): Database {
  const app = initializeApp({ databaseURL: `https://${NS}.firebaseio.com`, projectId: NS }, name);
  apps.push(app);
  const db = getDatabase(app);
  connectDatabaseEmulator(db, '127.0.0.1', server.port, {
    mockUserToken: { producer: true, user_id: PRODUCER_UID, sub: PRODUCER_UID },
  });
  return db;
}

async function startServer(profile: RulesProfile): Promise<RtdbServer> {
  const { startRtdbServer } = await loadLocalRtdb();
  const server = await startRtdbServer({ port: 0, quiet: true, rules: rulesForProfile(profile) });
  servers.push(server);
  server.importData(NS, DATA);
  return server;
}

afterAll(async () => {
  await Promise.all(apps.map((app) => deleteApp(app)));
  await Promise.all(servers.map((server) => server.stop()));
}, TIMEOUT_MS);

const READS = SHOW_CONTROLLER_ACCESS.filter((access) => access.op === 'read');

describe('the fixture', () => {
  it('has the alerts the control plane raises for an assigned VM that lost OBS', () => {
    expect(Object.values(ALERTS[COMP] ?? {}).map((alert) => alert.sourceId)).toEqual([
      `obs-disconnected-${VM}`,
    ]);
    expect(Object.keys(ALERTS)).toContain(POOL_ALERT_SCOPE);
  });
});

for (const profile of ['compat', 'strict'] as const) {
  describe(`the show-controller, not signed in, under the ${profile} profile`, () => {
    let server: RtdbServer;
    let db: Database;
    beforeAll(async () => {
      server = await startServer(profile);
      db = showController(server, `show-controller-${profile}`);
    }, TIMEOUT_MS);

    for (const access of READS) {
      const expected = EXPECTED_READS[profile][access.path];
      it(
        `${access.call} (${access.source}): ${expected ?? 'no expectation'}`,
        async () => {
          expect(expected, 'every read of the app has an expectation').toBeDefined();
          const outcome = await read(db, access);
          expect(outcome.verdict, JSON.stringify(outcome)).toBe(expected);
          if (outcome.verdict === 'deny') {
            expect(outcome.message).toMatch(/permission.denied/i);
          }
        },
        TIMEOUT_MS,
      );
    }

    if (profile === 'compat') {
      it(
        'loads the assigned competition: its vmAddress is where socket.io connects',
        async () => {
          const config = READS.find((access) => access.source.startsWith('context/'));
          if (config === undefined) throw new Error('no CompetitionContext read');
          const outcome = await read(db, config);
          expect(outcome).toEqual({ verdict: 'allow', value: DATA.competitions[COMP].config });
          // CompetitionContext.jsx: socketUrl = `http://${vmAddress}` on plain HTTP.
          expect(`http://${(outcome as { value: { vmAddress: string } }).value.vmAddress}`).toBe(
            'http://127.0.1.2:3003',
          );
        },
        TIMEOUT_MS,
      );

      it(
        'shows vmpool’s alerts with every field its alert panel shows',
        async () => {
          const alerts = READS.find((access) => access.path === 'alerts/{compId}');
          if (alerts === undefined) throw new Error('no alerts read');
          const outcome = await read(db, alerts);
          if (outcome.verdict !== 'allow') throw new Error(outcome.message);
          const stored = Object.entries(outcome.value as Record<string, Record<string, unknown>>);
          expect(stored.length).toBeGreaterThan(0);
          for (const [key, alert] of stored) {
            // hooks/useAlerts.js:55 keeps `!alert.resolved`, :59-61 sorts by level, createdAt.
            expect(alert.resolved).toBe(false);
            // components/AlertPanel.jsx: level (icon, group), title (65), createdAt shown as
            // a time (67, new Date), message (70), "VM: {metadata.vmId}" (71-73),
            // acknowledged (77) and id for the Acknowledge button (79) and React keys.
            expect(['critical', 'warning', 'info']).toContain(alert.level);
            expect(typeof alert.title === 'string' && alert.title.length > 0).toBe(true);
            expect(typeof alert.message === 'string' && alert.message.length > 0).toBe(true);
            expect(Number.isNaN(new Date(alert.createdAt as number).getTime())).toBe(false);
            expect(alert.metadata).toEqual({ vmId: VM });
            expect(alert.acknowledged).toBe(false);
            expect(alert.id).toBe(key);
          }
          // ProducerView.jsx:560-573: the critical banner shows title and message.
          expect(stored.some(([, alert]) => alert.level === 'critical')).toBe(true);
        },
        TIMEOUT_MS,
      );
    }

    it(
      'is refused every write it makes under vmpool’s paths (compat opens none)',
      async () => {
        const alertId = Object.keys(ALERTS[COMP] ?? {})[0] ?? 'none';
        // hooks/useAlerts.js:84
        const ack = update(ref(db, `alerts/${COMP}/${alertId}`), {
          acknowledged: true,
          acknowledgedAt: new Date().toISOString(),
          acknowledgedBy: 'producer',
        });
        expect(await write(ack)).toBe('deny');
        // hooks/useCompetitions.js:377 (edit) and :471 (delete)
        const edit = update(ref(db, `competitions/${COMP}/config`), { venue: 'Arena' });
        expect(await write(edit)).toBe('deny');
        expect(await write(update(ref(db, 'competitions'), { [COMP]: null }))).toBe('deny');
      },
      TIMEOUT_MS,
    );
  });
}

describe('the show-controller with the sign-in patch, a producer of the competition, strict', () => {
  let db: Database;
  beforeAll(async () => {
    db = signedInProducer(await startServer('strict'), 'show-controller-signed-in');
  }, TIMEOUT_MS);

  it(
    'reads the competition config and its alerts, not the full list or the pool',
    async () => {
      const verdicts = Object.fromEntries(
        await Promise.all(
          READS.map(
            async (access) =>
              [`${access.path} ${access.source}`, (await read(db, access)).verdict] as const,
          ),
        ),
      );
      expect(verdicts).toEqual({
        'competitions/{compId}/config context/CompetitionContext.jsx:105': 'allow',
        'competitions/{compId}/config components/GraphicsControl.jsx:187': 'allow',
        'alerts/{compId} hooks/useAlerts.js:46': 'allow',
        // The home page's list of every competition is for admins under strict.
        'competitions hooks/useCompetitions.js:341': 'deny',
        'competitions/{compId}/config hooks/useCompetitions.js:592': 'allow',
        'competitions/{compId}/config hooks/useCompetitions.js:426 and :480': 'allow',
        // vmpool's admin page replaces its VM pool page. Issue 9: producers read their
        // competitions' VMs and vmPool/summary only, not the whole pool or its config.
        'vmPool/vms hooks/useVMPool.js:32': 'deny',
        'vmPool/config hooks/useVMPool.js:33': 'deny',
      });
    },
    TIMEOUT_MS,
  );

  it(
    'acknowledges an alert as the patch does (its uid, the server time)',
    async () => {
      const alertId = Object.keys(ALERTS[COMP] ?? {})[0] ?? 'none';
      const target = ref(db, `alerts/${COMP}/${alertId}`);
      const unpatched = update(target, {
        acknowledged: true,
        acknowledgedAt: new Date().toISOString(),
        acknowledgedBy: 'producer',
      });
      expect(await write(unpatched)).toBe('deny');
      const patched = update(target, {
        acknowledged: true,
        acknowledgedAt: serverTimestamp(),
        acknowledgedBy: PRODUCER_UID,
      });
      expect(await write(patched)).toBe('allow');
    },
    TIMEOUT_MS,
  );
});
