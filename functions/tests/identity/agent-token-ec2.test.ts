import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getAuth } from 'firebase-admin/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger, type ComputePort } from '@vmpool/core/ports';
import { AwsCallCounter } from '../../src/adapters/aws/call-counter';
import { createEc2Compute } from '../../src/adapters/aws/ec2-compute';
import { createAgentTokenHandler } from '../../src/identity/agent-token-handler';
import { createRtdbIdentityStore } from '../../src/identity/identity-store';
import { firebaseTokenMinter } from '../../src/identity/token-minter';
import { MOTO_CREDENTIALS, startMoto, type MotoServer } from '../support/moto';
import { freshAdminDb, releaseRtdb, sharedRtdb, type AdminDb } from '../support/rtdb';
import {
  createTestSigner,
  identityDocumentText,
  TEST_ACCOUNT_ID,
  type TestSigner,
} from './test-certificate';

const region = 'us-east-1';
const poolTags = { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' };

describe('agentToken with the EC2 adapter on moto', () => {
  let moto: MotoServer;
  let admin: AdminDb;
  let signer: TestSigner;
  let compute: ComputePort;
  let server: Server;
  let url: string;
  const counter = new AwsCallCounter();
  const previousEmulatorHost = process.env.FIREBASE_AUTH_EMULATOR_HOST;

  beforeAll(async () => {
    process.env.FIREBASE_AUTH_EMULATOR_HOST = '127.0.0.1:9099';
    [moto, admin] = await Promise.all([startMoto(), sharedRtdb().then(freshAdminDb)]);
    signer = createTestSigner();
    compute = createEc2Compute({
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
      callCounter: counter,
    });
    const handler = createAgentTokenHandler({
      certificates: new Map([[region, signer.certificate]]),
      compute,
      store: createRtdbIdentityStore(admin.db),
      minter: firebaseTokenMinter(getAuth(admin.app)),
      clock: { now: () => Date.now() },
      logger: memoryLogger(),
      expectedAccountId: TEST_ACCOUNT_ID,
      raiseAlert: async () => {},
    });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/agentToken`;
  }, 90_000);

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await admin?.close();
    await releaseRtdb();
    await moto?.stop();
    if (previousEmulatorHost === undefined) delete process.env.FIREBASE_AUTH_EMULATOR_HOST;
    else process.env.FIREBASE_AUTH_EMULATOR_HOST = previousEmulatorHost;
  }, 30_000);

  async function exchange(instanceId: string) {
    const document = identityDocumentText({ instanceId, region, pendingTime: Date.now() - 60_000 });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ document, signature: signer.sign(document), nonce: 'k'.repeat(64) }),
    });
    return {
      status: response.status,
      body: (await response.json()) as { vmId?: string; error?: { code: string } },
    };
  }

  const launch = (vmId: string) =>
    compute.launchInstance(region, {
      amiId: 'ami-03cf127a',
      instanceType: 't3.large',
      subnetId: '',
      securityGroupId: '',
      keyPairName: '',
      instanceProfile: '',
      userData: '',
      tags: { ...poolTags, VmId: vmId },
      clientToken: `identity-${vmId}`,
    });

  it('grants a running pool instance its VM id, with one DescribeInstances call', async () => {
    const { instanceId } = await launch('vm-101');
    counter.reset();
    const answer = await exchange(instanceId);
    expect(answer.status).toBe(200);
    expect(answer.body.vmId).toBe('vm-101');
    expect(counter.count('DescribeInstancesCommand')).toBe(1);
    expect(counter.total()).toBe(1);
  });

  it('refuses a stopped instance and one EC2 does not know', async () => {
    const { instanceId } = await launch('vm-102');
    await compute.stopInstance(region, instanceId);
    expect((await exchange(instanceId)).body.error?.code).toBe('INSTANCE_NOT_RUNNING');
    expect((await exchange('i-0123456789abcdef0')).body.error?.code).toBe('NOT_IN_POOL');
  });
});
