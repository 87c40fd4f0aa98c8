// Design gap "Sessions": custom tokens of a terminated VM were never revoked, and VM ids are
// reused (the lowest free vm-NNN slot keeps launches under maxTotalVMs). Now the agent's Auth
// user is per instance and terminate revokes its refresh tokens; the rules bind the token's
// instanceId to the VM record (test/rules, agent/tests/isolation.test.ts), so the remaining
// ID token of a terminated instance opens nothing once its record is gone or reused.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteApp as deleteAdminApp, initializeApp as initAdminApp } from 'firebase-admin/app';
import { getAuth as getAdminAuth } from 'firebase-admin/auth';
import { deleteApp, initializeApp } from 'firebase/app';
import { connectAuthEmulator, getAuth, signInWithCustomToken } from 'firebase/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentAuthUid } from '@vmpool/core';
import { manualClock } from '@vmpool/core/ports';
import { freePort, startAuthEmulator, type AuthEmulator } from '@vmpool/local/auth-emulator';
import { MemoryCompute } from '../src/adapters/memory';
import { claimsAccess } from '../src/triggers/claims-access';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { testDeps, T0 } from './support/deps';
import { readVm, request, seedVm, submit, writeConfig } from './support/fixtures';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();
const LAUNCH_CONFIG = {
  minWarmVMs: 0,
  amiId: 'ami-0123456789abcdef0',
  subnetId: 'subnet-0123456789abcdef0',
  securityGroupId: 'sg-0123456789abcdef0',
};

describe('terminate ends the agent’s sessions', () => {
  it('revokes the sessions of the terminated instance; the reused id names a new instance', async () => {
    const clock = manualClock(T0);
    const compute = new MemoryCompute({ clock });
    const deps = testDeps(env.admin.db, { clock, compute });
    await writeConfig(env.admin.db, LAUNCH_CONFIG);
    const old = await seedVm(env.admin.db, compute, 'vm-001', 'stopped', T0);

    await submit(deps, env.admin.db, 't1', request('terminate', { vmId: 'vm-001' }));
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'terminating' });
    expect(deps.access.revoked).toEqual([old.instanceId]);
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toBeNull();
    expect(new Set(deps.access.revoked)).toEqual(new Set([old.instanceId]));

    // The id is free again and the next launch takes it, for another instance: the old
    // instance's token (claims vm-001 + its own instanceId) no longer matches the record.
    await submit(deps, env.admin.db, 'l1', request('launch', {}));
    const relaunched = await readVm(env.admin.db, 'vm-001');
    expect(relaunched?.instanceId).toMatch(/^i-/);
    expect(relaunched?.instanceId).not.toBe(old.instanceId);
    expect(deps.access.revoked).not.toContain(relaunched?.instanceId);
  });

  it('revokes nothing for a launch that never got an instance, and never fails terminate', async () => {
    const clock = manualClock(T0);
    const compute = new MemoryCompute({ clock });
    const deps = testDeps(env.admin.db, { clock, compute });
    deps.access.revokeAgentSessions = () => Promise.reject(new Error('Auth unavailable'));
    await writeConfig(env.admin.db, LAUNCH_CONFIG);
    await seedVm(env.admin.db, compute, 'vm-002', 'stopped', T0);
    await submit(deps, env.admin.db, 't2', request('terminate', { vmId: 'vm-002' }));
    expect(await readVm(env.admin.db, 'vm-002')).toMatchObject({ status: 'terminating' });
    expect(deps.logger.lines.map((line) => line.message)).toContain(
      'could not revoke the agent sessions',
    );
  });
});

describe('claimsAccess.revokeAgentSessions against the Auth emulator', () => {
  const projectId = 'demo-vmpool-sessions';
  let emulator: AuthEmulator;
  let workDir: string;
  const previousHost = process.env.FIREBASE_AUTH_EMULATOR_HOST;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'vmpool-sessions-'));
    emulator = await startAuthEmulator({
      repoRoot: fileURLToPath(new URL('../../', import.meta.url)),
      workDir,
      host: '127.0.0.1',
      port: await freePort('127.0.0.1'),
      projectId,
      javaHome: process.env.JAVA_HOME,
      // About 9 s on an idle machine; minutes when the machine is shared and busy.
      readyTimeoutMs: 300_000,
    });
    process.env.FIREBASE_AUTH_EMULATOR_HOST = emulator.hostPort;
  }, 320_000);
  afterAll(async () => {
    if (previousHost === undefined) delete process.env.FIREBASE_AUTH_EMULATOR_HOST;
    else process.env.FIREBASE_AUTH_EMULATOR_HOST = previousHost;
    await emulator?.stop();
    await rm(workDir, { recursive: true, force: true });
  }, 30_000);

  it('revokes the sessions of that instance only: its tokens fail a revocation check', async () => {
    const admin = initAdminApp({ projectId }, 'sessions-admin');
    const apps = [
      initializeApp({ apiKey: 'fake-api-key', projectId }, 'sessions-agent'),
      initializeApp({ apiKey: 'fake-api-key', projectId }, 'sessions-other'),
    ];
    try {
      const auth = getAdminAuth(admin);
      const signIn = async (index: number, instanceId: string) => {
        const token = await auth.createCustomToken(agentAuthUid(instanceId), {
          vmId: 'vm-001',
          instanceId,
        });
        const agentAuth = getAuth(apps[index]);
        connectAuthEmulator(agentAuth, `http://${emulator.hostPort}`, { disableWarnings: true });
        const { user } = await signInWithCustomToken(agentAuth, token);
        return user.getIdToken();
      };
      const terminated = 'i-0123456789abcdef1';
      const idToken = await signIn(0, terminated);
      // Another instance that holds (or will hold) the same VM id keeps its session.
      const otherIdToken = await signIn(1, 'i-0123456789abcdef2');
      expect(await auth.verifyIdToken(idToken, true)).toMatchObject({
        vmId: 'vm-001',
        instanceId: terminated,
      });

      // Revocation is recorded in whole seconds: one that falls in the sign-in's second would
      // not predate the token.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await claimsAccess(auth).revokeAgentSessions(terminated);

      // Production Firebase also refuses the refresh token from now on; the Auth emulator
      // records the revocation (tokensValidAfterTime) without enforcing it on refresh, so the
      // check here is the one firebase-admin makes against that record.
      await expect(auth.verifyIdToken(idToken, true)).rejects.toMatchObject({
        code: 'auth/id-token-revoked',
      });
      const user = await auth.getUser(agentAuthUid(terminated));
      expect(Date.parse(user.tokensValidAfterTime ?? '')).toBeGreaterThan(Date.now() - 60_000);
      await expect(auth.verifyIdToken(otherIdToken, true)).resolves.toMatchObject({
        instanceId: 'i-0123456789abcdef2',
      });

      // An instance whose agent never signed in has no session: nothing to revoke, no error.
      await expect(
        claimsAccess(auth).revokeAgentSessions('i-0fffffffffffffff0'),
      ).resolves.toBeUndefined();
    } finally {
      await Promise.all(apps.map((app) => deleteApp(app)));
      await deleteAdminApp(admin);
    }
  }, 60_000);
});
