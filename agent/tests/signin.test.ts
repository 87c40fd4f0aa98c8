// The whole production sign-in path with real SDKs and emulators: IMDSv2 stand-in →
// agentToken stand-in minting a real custom token (firebase-admin against the Auth emulator)
// → signInWithCustomToken → the RTDB server checks the ID token's vmId and instanceId claims
// against the project rules and the VM record → registration. The token is short-lived, so the agent must exchange again.
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { agentAuthUid } from '@vmpool/core';
import { startImds, type StandIn } from './support/http-stand-ins';
import { startAuthEmulator, type AuthEmulator } from './support/auth-emulator';
import {
  killAgent,
  REPO_ROOT,
  seedVm,
  spawnAgentProcess,
  startStack,
  waitForValue,
  type AgentProcess,
  type TestStack,
} from './support/stack';

const PROJECT = 'demo-vmpool';
const VM = 'vm-701';
const DOCUMENT = {
  instanceId: 'i-0123456789abcdef7',
  region: 'us-east-1',
  availabilityZone: 'us-east-1a',
  instanceType: 't3.large',
  privateIp: '10.0.0.7',
};

let stack: TestStack;
let emulator: AuthEmulator;
let imds: StandIn;
let tokenServer: Server;
let tokenUrl: string;
let adminApp: App;
let agent: AgentProcess | undefined;
let stateDir: string;
const exchanges: number[] = [];

beforeAll(async () => {
  stack = await startStack();
  emulator = await startAuthEmulator(PROJECT);
  process.env.FIREBASE_AUTH_EMULATOR_HOST = emulator.host;
  adminApp = initializeApp({ projectId: PROJECT }, 'token-minter');
  imds = await startImds({ document: DOCUMENT, signature: 'c2ln', publicIp: '3.3.3.7' });
  stateDir = await mkdtemp(join(tmpdir(), 'vmpool-signin-'));
  // Stands in for functions/src/identity: checks what it is sent, mints a 15 s token.
  tokenServer = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = JSON.parse(body) as { document: string; nonce: string };
      const document = JSON.parse(request.document) as { instanceId: string };
      if (document.instanceId !== DOCUMENT.instanceId || !/^[0-9a-f]{64}$/.test(request.nonce)) {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'FORBIDDEN', message: 'unexpected identity' } }));
        return;
      }
      exchanges.push(Date.now());
      void getAuth(adminApp)
        .createCustomToken(agentAuthUid(DOCUMENT.instanceId), {
          vmId: VM,
          instanceId: DOCUMENT.instanceId,
        })
        .then((token) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ token, vmId: VM, expiresAt: Date.now() + 15_000 }));
        });
    });
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
  const address = tokenServer.address();
  tokenUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  await seedVm(stack.admin, VM);
  // The rules let a token report only for the instance the VM record holds.
  await stack.admin.ref(`vmPool/vms/${VM}/instanceId`).set(DOCUMENT.instanceId);
}, 300_000);

afterAll(async () => {
  if (agent) await killAgent(agent);
  if (tokenServer) await new Promise((resolve) => tokenServer.close(resolve));
  await imds?.close();
  if (adminApp) await deleteApp(adminApp);
  await emulator?.stop();
  await stack?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
}, 60_000);

describe('production sign-in with a custom token', () => {
  it('signs in, registers under the VM the token names, and exchanges again before expiry', async () => {
    agent = spawnAgentProcess(
      [
        '--database-url',
        stack.databaseUrl,
        '--functions-base-url',
        tokenUrl,
        '--api-key',
        'fake-api-key',
        '--project-id',
        PROJECT,
        '--auth-emulator',
        emulator.url,
        '--imds-endpoint',
        imds.url,
        '--state-dir',
        stateDir,
        '--show-server',
        stack.show.url,
        '--heartbeat-interval-ms',
        '1000',
      ],
      REPO_ROOT,
    );
    const node = await waitForValue<{ online?: boolean; instanceId?: string; publicIp?: string }>(
      stack.admin,
      `vmPool/vms/${VM}/agent`,
      (value) => value?.online === true,
      90_000,
      agent,
    );
    expect(node).toMatchObject({ instanceId: DOCUMENT.instanceId, publicIp: '3.3.3.7' });

    // A 15 s token is exchanged again after ~12 s; writes keep being accepted afterwards.
    const until = Date.now() + 60_000;
    while (exchanges.length < 2 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(exchanges.length).toBeGreaterThanOrEqual(2);
    // The exchange is counted when the token service gets it; the agent then signs in with the
    // new token at the Auth emulator before it logs the refresh.
    const logged = Date.now() + 30_000;
    while (!agent.output().includes('refresh succeeded') && Date.now() < logged)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(agent.output()).toContain('refresh succeeded');
    const refreshedAt = exchanges[1] ?? 0;
    await waitForValue<number>(
      stack.admin,
      `vmPool/pulse/${VM}/lastSeen`,
      (lastSeen) => (lastSeen ?? 0) > refreshedAt + 1_000,
      30_000,
      agent,
    );
  });
});
