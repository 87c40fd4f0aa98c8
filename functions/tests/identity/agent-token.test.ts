import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getAuth } from 'firebase-admin/auth';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { paths, type AlertDraft } from '@vmpool/core';
import { manualClock, memoryLogger } from '@vmpool/core/ports';
import { MemoryCompute } from '../../src/adapters/memory';
import { createAgentTokenHandler } from '../../src/identity/agent-token-handler';
import { createRtdbIdentityStore } from '../../src/identity/identity-store';
import { firebaseTokenMinter } from '../../src/identity/token-minter';
import { freshAdminDb, releaseRtdb, sharedRtdb, type AdminDb } from '../support/rtdb';
import { createRtdbPoolStore } from '../../src/store/rtdb-pool-store';
import { raiseAlert } from '../../src/usecases/shared/alerts';
import {
  createTestSigner,
  identityDocumentText,
  TEST_ACCOUNT_ID,
  type TestSigner,
} from './test-certificate';

const region = 'us-east-1';
const poolTags = { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' };
const NOW = Date.UTC(2026, 10, 27, 6, 30, 0);
const BOOT = NOW - 2 * 60_000;
const NONCE = 'n'.repeat(64);

interface Answer {
  status: number;
  body: {
    token?: string;
    vmId?: string;
    expiresAt?: number;
    error?: { code: string; message: string };
  };
}

/** The claims inside a custom token minted by firebase-admin in emulator mode (unsigned JWT). */
function tokenPayload(token: string): { uid: string; claims: Record<string, unknown> } {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
    uid: string;
    claims: Record<string, unknown>;
  };
}

describe('agentToken over HTTP (local RTDB, in-memory EC2, firebase-admin token minting)', () => {
  let signer: TestSigner;
  let admin: AdminDb;
  let compute: MemoryCompute;
  let clock: ReturnType<typeof manualClock>;
  let server: Server;
  let url: string;
  let logger: ReturnType<typeof memoryLogger>;
  /** What each test's handler is built with, besides the fixed parts. */
  let options: {
    expectedAccountId: string | null;
    maxBindAgeMs?: number;
    failAlerts?: boolean;
  };
  const previousEmulatorHost = process.env.FIREBASE_AUTH_EMULATOR_HOST;

  beforeAll(async () => {
    // In emulator mode firebase-admin mints unsigned custom tokens locally: no service account.
    process.env.FIREBASE_AUTH_EMULATOR_HOST = '127.0.0.1:9099';
    signer = createTestSigner();
  }, 30_000);

  afterAll(() => {
    if (previousEmulatorHost === undefined) delete process.env.FIREBASE_AUTH_EMULATOR_HOST;
    else process.env.FIREBASE_AUTH_EMULATOR_HOST = previousEmulatorHost;
  });

  beforeEach(async () => {
    admin = await freshAdminDb(await sharedRtdb());
    clock = manualClock(NOW);
    compute = new MemoryCompute({ clock });
    logger = memoryLogger();
    options = { expectedAccountId: TEST_ACCOUNT_ID };
    const pool = { store: createRtdbPoolStore(admin.db, clock), clock, logger };
    server = createServer((req, res) => {
      // Built per request so that a test can change `options` first.
      const handler = createAgentTokenHandler({
        certificates: new Map([[region, signer.certificate]]),
        compute,
        store: createRtdbIdentityStore(admin.db),
        minter: firebaseTokenMinter(getAuth(admin.app)),
        clock,
        logger,
        expectedAccountId: options.expectedAccountId,
        ...(options.maxBindAgeMs === undefined ? {} : { maxBindAgeMs: options.maxBindAgeMs }),
        raiseAlert: (draft: AlertDraft) =>
          options.failAlerts
            ? Promise.reject(new Error('database unavailable'))
            : raiseAlert(pool, draft),
      });
      void handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/agentToken`;
  }, 60_000);

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await admin.close();
    await releaseRtdb();
  }, 30_000);

  async function post(body: unknown, init: RequestInit = {}): Promise<Answer> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  }

  function seedVm(
    tags: Record<string, string> = { VmId: 'vm-001' },
    state: 'running' | 'stopped' = 'running',
  ) {
    return compute.seed({ region, state, tags: { ...poolTags, ...tags } });
  }

  function signed(
    instanceId: string,
    pendingTime = BOOT,
    nonce = NONCE,
    signWith = signer,
    accountId = TEST_ACCOUNT_ID,
  ) {
    const document = identityDocumentText({ instanceId, region, pendingTime, accountId });
    return { document, signature: signWith.sign(document), nonce };
  }

  async function poolAlerts(): Promise<Record<string, Record<string, unknown>>> {
    return ((await admin.db.ref(paths.alerts('pool')).get()).val() ?? {}) as Record<
      string,
      Record<string, unknown>
    >;
  }

  it('mints a token of the instance: uid per instance, claims the VM id and the instance id', async () => {
    const { instanceId } = seedVm();
    const answer = await post(signed(instanceId));
    expect(answer.status).toBe(200);
    expect(answer.body.vmId).toBe('vm-001');
    expect(answer.body.expiresAt).toBe(NOW + 3_600_000);
    const payload = tokenPayload(answer.body.token ?? '');
    expect(payload.uid).toBe(`agent-${instanceId}`);
    expect(payload.claims).toEqual({ vmId: 'vm-001', instanceId });

    const binding = (await admin.db.ref(paths.identity(instanceId)).get()).val() as Record<
      string,
      unknown
    >;
    expect(binding).toMatchObject({ pendingTime: BOOT, vmId: 'vm-001', boundAt: NOW });
    expect(JSON.stringify(binding)).not.toContain(NONCE);
  });

  it('lets the same agent exchange again (token refresh, agent restart) with its nonce', async () => {
    const { instanceId } = seedVm();
    expect((await post(signed(instanceId))).status).toBe(200);
    clock.advance(6 * 3_600_000);
    const again = await post(signed(instanceId));
    expect(again.status).toBe(200);
    expect(again.body.vmId).toBe('vm-001');
  });

  it('refuses a replay of the document with another nonce', async () => {
    const { instanceId } = seedVm();
    expect((await post(signed(instanceId))).status).toBe(200);
    const replay = await post(signed(instanceId, BOOT, 'x'.repeat(64)));
    expect(replay.status).toBe(403);
    expect(replay.body.error?.code).toBe('NONCE_MISMATCH');
  });

  it('binds exactly one of two first exchanges racing with different nonces', async () => {
    const { instanceId } = seedVm();
    const answers = await Promise.all([
      post(signed(instanceId, BOOT, 'p'.repeat(64))),
      post(signed(instanceId, BOOT, 'q'.repeat(64))),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 403]);
    expect(answers.find((answer) => answer.status === 403)?.body.error?.code).toBe(
      'NONCE_MISMATCH',
    );
  });

  it('refuses a document from an earlier start once a newer one is bound', async () => {
    const { instanceId } = seedVm();
    expect((await post(signed(instanceId))).status).toBe(200);
    const restart = NOW + 3_600_000;
    clock.set(restart + 60_000);
    const rebound = await post(signed(instanceId, restart, 'r'.repeat(64)));
    expect(rebound.status).toBe(200);
    const old = await post(signed(instanceId, BOOT, NONCE));
    expect(old.status).toBe(403);
    expect(old.body.error?.code).toBe('REPLAYED_DOCUMENT');
  });

  // Review finding 7: whoever presents an instance's (non-secret) identity document first binds
  // their nonce, and the real agent then gets NONCE_MISMATCH. That refusal, and a replayed
  // document, are attack indicators: a critical pool alert, one per instance.
  it('raises one critical pool alert when the real agent finds its boot bound by someone else', async () => {
    const { instanceId } = seedVm();
    const attacker = await post(signed(instanceId, BOOT, 'a'.repeat(64)));
    expect(attacker.status).toBe(200);
    expect(await poolAlerts()).toEqual({});

    const agent = await post(signed(instanceId));
    expect(agent.status).toBe(403);
    expect(agent.body.error?.code).toBe('NONCE_MISMATCH');
    clock.advance(60_000);
    expect((await post(signed(instanceId))).body.error?.code).toBe('NONCE_MISMATCH');

    const alerts = Object.values(await poolAlerts());
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      level: 'critical',
      category: 'vm',
      vmId: 'vm-001',
      sourceId: `agent-identity-${instanceId}`,
      acknowledged: false,
      resolved: false,
      autoResolve: false,
      timestamp: NOW,
    });
    expect(String(alerts[0]?.message)).toContain('NONCE_MISMATCH');
    expect(JSON.stringify(alerts)).not.toContain('a'.repeat(64));
    expect(logger.lines.some((line) => line.message === 'agent identity challenged')).toBe(true);
  });

  it('raises the alert for a replayed document from an earlier start too', async () => {
    const { instanceId } = seedVm();
    const restart = NOW + 3_600_000;
    clock.set(restart + 60_000);
    expect((await post(signed(instanceId, restart, 'r'.repeat(64)))).status).toBe(200);
    const old = await post(signed(instanceId, restart - 2 * 3_600_000, NONCE));
    expect(old.body.error?.code).toBe('REPLAYED_DOCUMENT');
    const alerts = Object.values(await poolAlerts());
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      level: 'critical',
      sourceId: `agent-identity-${instanceId}`,
    });
    expect(String(alerts[0]?.message)).toContain('REPLAYED_DOCUMENT');
  });

  it('answers the refusal even when the alert cannot be written', async () => {
    const { instanceId } = seedVm();
    expect((await post(signed(instanceId, BOOT, 'a'.repeat(64)))).status).toBe(200);
    options.failAlerts = true;
    const agent = await post(signed(instanceId));
    expect(agent.status).toBe(403);
    expect(agent.body.error?.code).toBe('NONCE_MISMATCH');
    expect(logger.lines.some((line) => line.message === 'could not raise the identity alert')).toBe(
      true,
    );
  });

  it('raises no alert for refusals that are no attack indicator', async () => {
    const { instanceId } = seedVm();
    expect((await post(signed(instanceId, NOW - 3 * 3_600_000))).body.error?.code).toBe(
      'STALE_DOCUMENT',
    );
    expect((await post(signed(instanceId, BOOT, NONCE, createTestSigner('forger')))).status).toBe(
      401,
    );
    expect(await poolAlerts()).toEqual({});
  });

  it('binds a first exchange only within the bind window after the start (default 10 min)', async () => {
    const late = seedVm({ VmId: 'vm-011' });
    const stale = await post(signed(late.instanceId, NOW - 10 * 60_000 - 1_000));
    expect(stale.status).toBe(403);
    expect(stale.body.error?.code).toBe('STALE_DOCUMENT');
    const inTime = seedVm({ VmId: 'vm-012' });
    expect((await post(signed(inTime.instanceId, NOW - 9 * 60_000))).status).toBe(200);

    options.maxBindAgeMs = 2 * 60_000;
    const configured = seedVm({ VmId: 'vm-013' });
    expect((await post(signed(configured.instanceId, NOW - 3 * 60_000))).body.error?.code).toBe(
      'STALE_DOCUMENT',
    );
  });

  it('refuses an identity document of another AWS account, and every one without the setting', async () => {
    const { instanceId } = seedVm();
    const foreign = await post(signed(instanceId, BOOT, NONCE, signer, '210987654321'));
    expect(foreign.status).toBe(403);
    expect(foreign.body.error?.code).toBe('ACCOUNT_MISMATCH');
    expect(foreign.body.error?.message).toContain('210987654321');

    options.expectedAccountId = null;
    const unset = await post(signed(instanceId));
    expect(unset.status).toBe(500);
    expect(unset.body.error?.code).toBe('ACCOUNT_NOT_CONFIGURED');
    expect(unset.body.error?.message).toContain('VMPOOL_AWS_ACCOUNT_ID');
    expect((await admin.db.ref(paths.identity(instanceId)).get()).exists()).toBe(false);
  });

  it('refuses a stale document that was never bound', async () => {
    const { instanceId } = seedVm();
    const stale = await post(signed(instanceId, NOW - 3 * 3_600_000));
    expect(stale.status).toBe(403);
    expect(stale.body.error?.code).toBe('STALE_DOCUMENT');
    expect((await admin.db.ref(paths.identity(instanceId)).get()).exists()).toBe(false);
  });

  it('refuses a forged signature and a tampered document', async () => {
    const { instanceId } = seedVm();
    const forged = await post(signed(instanceId, BOOT, NONCE, createTestSigner('forger')));
    expect(forged.status).toBe(401);
    expect(forged.body.error?.code).toBe('BAD_SIGNATURE');
    const genuine = signed(instanceId);
    const tampered = await post({
      ...genuine,
      document: genuine.document.replace(instanceId, seedVm({ VmId: 'vm-002' }).instanceId),
    });
    expect(tampered.body.error?.code).toBe('BAD_SIGNATURE');
    expect((await admin.db.ref(paths.identities()).get()).exists()).toBe(false);
  });

  it('refuses instances outside the pool, stopped ones, and regions without a certificate', async () => {
    const outsider = compute.seed({
      region,
      state: 'running',
      tags: { Project: 'other', VmId: 'vm-009' },
    });
    const notInPool = await post(signed(outsider.instanceId));
    expect(notInPool.status).toBe(403);
    expect(notInPool.body.error?.code).toBe('NOT_IN_POOL');

    const stopped = seedVm({ VmId: 'vm-003' }, 'stopped');
    const notRunning = await post(signed(stopped.instanceId));
    expect(notRunning.status).toBe(409);
    expect(notRunning.body.error?.code).toBe('INSTANCE_NOT_RUNNING');

    const document = identityDocumentText({
      instanceId: 'i-0abc12345678def00',
      region: 'eu-west-1',
      pendingTime: BOOT,
    });
    const unknownRegion = await post({ document, signature: signer.sign(document), nonce: NONCE });
    expect(unknownRegion.status).toBe(400);
    expect(unknownRegion.body.error?.code).toBe('UNKNOWN_REGION');
  });

  it('finds the VM id from the pool record when the instance has no VmId tag', async () => {
    const { instanceId } = seedVm({});
    const unregistered = await post(signed(instanceId));
    expect(unregistered.status).toBe(409);
    expect(unregistered.body.error?.code).toBe('VM_NOT_REGISTERED');
    await admin.db.ref(paths.vm('vm-017')).set({ vmId: 'vm-017', instanceId, region });
    const answer = await post(signed(instanceId));
    expect(answer.status).toBe(200);
    expect(answer.body.vmId).toBe('vm-017');
  });

  it('refuses a VmId tag that names another instance’s VM', async () => {
    await admin.db
      .ref(paths.vm('vm-001'))
      .set({ vmId: 'vm-001', instanceId: 'i-0fffffffffffffff0', region });
    const { instanceId } = seedVm({ VmId: 'vm-001' });
    const answer = await post(signed(instanceId));
    expect(answer.status).toBe(403);
    expect(answer.body.error?.code).toBe('VM_ID_CONFLICT');
  });

  it('uses the pool tags from vmPool/config', async () => {
    await admin.db.ref(paths.poolConfig()).set({ tags: { Project: 'night-shows' } });
    const { instanceId } = compute.seed({
      region,
      state: 'running',
      tags: { Project: 'night-shows', VmId: 'vm-005' },
    });
    expect((await post(signed(instanceId))).body.vmId).toBe('vm-005');
    const classic = seedVm({ VmId: 'vm-006' });
    expect((await post(signed(classic.instanceId))).body.error?.code).toBe('NOT_IN_POOL');
  });

  it('answers bad requests with clear JSON errors', async () => {
    const badJson = await post('{"document": ');
    expect(badJson.status).toBe(400);
    expect(badJson.body.error?.code).toBe('INVALID_JSON');

    const missing = await post({ document: 'x', nonce: 'short', extra: 1 });
    expect(missing.status).toBe(400);
    expect(missing.body.error?.code).toBe('INVALID_REQUEST');
    expect(missing.body.error?.message).toContain('signature: required string');
    expect(missing.body.error?.message).toContain('nonce: must be 16..256');
    expect(missing.body.error?.message).toContain('unknown field extra');

    const notJsonDoc = await post({ document: 'hello', signature: 'AAAA', nonce: NONCE });
    expect(notJsonDoc.body.error?.code).toBe('INVALID_DOCUMENT');

    const response = await fetch(url, { method: 'GET' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(((await response.json()) as Answer['body']).error?.code).toBe('METHOD_NOT_ALLOWED');

    const huge = await post({ document: 'x'.repeat(20_000), signature: 'A', nonce: NONCE });
    expect(huge.status).toBe(413);
  });

  it('logs refusals with their code and never the nonce', async () => {
    const { instanceId } = seedVm();
    await post(signed(instanceId));
    await post(signed(instanceId, BOOT, 'y'.repeat(64)));
    const refusal = logger.lines.find((line) => line.message === 'agent token refused');
    expect(refusal?.fields.code).toBe('NONCE_MISMATCH');
    expect(JSON.stringify(logger.lines)).not.toContain('y'.repeat(64));
  });
});
