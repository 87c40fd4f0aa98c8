import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEc2Compute } from '../../src/adapters/aws';
import { googleIdTokenSource, webIdentityCredentials } from '../../src/adapters/aws/web-identity';
import { secretsManagerEventsKey } from '../../src/ec2-events';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { MOTO_CREDENTIALS, startMoto, type MotoServer } from '../support/moto';

const region = 'us-east-1';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/vmpool-control-plane';
const POOL_TAGS = { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' };

/** A stand-in for the Google metadata server: answers ID tokens and records each request. */
interface MetadataServer {
  host: string;
  requests: { url: string; headers: IncomingHttpHeaders }[];
  tokens: string[];
  failWith: number | null;
  close(): Promise<void>;
}

async function startMetadataServer(): Promise<MetadataServer> {
  const state = { requests: [], tokens: [], failWith: null } as Omit<
    MetadataServer,
    'host' | 'close'
  >;
  const server: Server = createServer((req, res) => {
    state.requests.push({ url: req.url ?? '', headers: req.headers });
    if (state.failWith !== null) {
      res.writeHead(state.failWith, { 'Metadata-Flavor': 'Google' });
      res.end('no such service account');
      return;
    }
    const n = state.tokens.length + 1;
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iss: 'https://accounts.google.com', aud: ROLE_ARN, azp: '112233445566778899001', sub: '112233445566778899001', n })}.c2lnbmF0dXJl`;
    state.tokens.push(token);
    res.writeHead(200, { 'Metadata-Flavor': 'Google', 'content-type': 'text/html' });
    res.end(token);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

function credentialOf(headers: IncomingHttpHeaders): string | undefined {
  return /Credential=([A-Z0-9]+)\//.exec(String(headers.authorization ?? ''))?.[1];
}

describe('the functions reach AWS with web identity credentials (moto STS)', () => {
  let moto: MotoServer;
  let proxy: FaultProxy;
  let metadata: MetadataServer;
  let instanceId: string;

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startFaultProxy(moto.endpoint);
    const ec2 = new EC2Client({ region, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-03cf127a',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: Object.entries(POOL_TAGS).map(([Key, Value]) => ({ Key, Value })),
          },
        ],
      }),
    );
    instanceId = run.Instances?.[0]?.InstanceId ?? '';
  }, 90_000);
  afterAll(async () => {
    await metadata?.close();
    await proxy?.close();
    await moto?.stop();
  }, 30_000);
  beforeEach(async () => {
    await metadata?.close();
    metadata = await startMetadataServer();
    proxy.seen.length = 0;
  });

  function provider(now: () => number = () => Date.now()) {
    return webIdentityCredentials({
      roleArn: ROLE_ARN,
      roleSessionName: 'vmpool-functions',
      stsRegion: region,
      stsEndpoint: proxy.endpoint,
      idToken: googleIdTokenSource({ metadataHost: metadata.host, audience: ROLE_ARN }),
      now,
    });
  }

  it("EC2 calls carry the role's credentials, assumed with the Google ID token for the role", async () => {
    const credentials = provider();
    const compute = createEc2Compute({ endpoint: proxy.endpoint, credentials });
    const found = await compute.describePoolInstances(region, POOL_TAGS);
    expect(found.map((instance) => instance.instanceId)).toContain(instanceId);

    // The metadata server was asked for an ID token with the role's ARN as audience.
    expect(metadata.requests).toHaveLength(1);
    const asked = new URL(metadata.requests[0]!.url, 'http://metadata');
    expect(asked.pathname).toBe('/computeMetadata/v1/instance/service-accounts/default/identity');
    expect(asked.searchParams.get('audience')).toBe(ROLE_ARN);
    expect(asked.searchParams.get('format')).toBe('full');
    expect(metadata.requests[0]!.headers['metadata-flavor']).toBe('Google');

    // STS exchanged exactly that token for the role.
    const assume = proxy.seen.filter((call) => call.action === 'AssumeRoleWithWebIdentity');
    expect(assume).toHaveLength(1);
    expect(assume[0]!.params.get('RoleArn')).toBe(ROLE_ARN);
    expect(assume[0]!.params.get('RoleSessionName')).toBe('vmpool-functions');
    expect(assume[0]!.params.get('WebIdentityToken')).toBe(metadata.tokens[0]);
    expect(assume[0]!.params.get('DurationSeconds')).toBe('3600');
    expect(assume[0]!.headers.authorization).toBeUndefined();

    // The EC2 call was signed with the assumed-role keys, not with anything static.
    const assumed = await credentials();
    expect(assumed.accessKeyId).not.toBe(MOTO_CREDENTIALS.accessKeyId);
    const describe = proxy.seen.find((call) => call.action === 'DescribeInstances');
    expect(credentialOf(describe!.headers)).toBe(assumed.accessKeyId);
    expect(describe!.headers['x-amz-security-token']).toBe(assumed.sessionToken);

    // …and STS knows those keys as the assumed role's session.
    const sts = new STSClient({ region, endpoint: moto.endpoint, credentials: assumed });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(
      'arn:aws:sts::123456789012:assumed-role/vmpool-control-plane/vmpool-functions',
    );
  }, 60_000);

  it('shares one set of credentials across clients and renews it before it expires', async () => {
    let now = Date.now();
    const credentials = provider(() => now);
    const east = createEc2Compute({ endpoint: proxy.endpoint, credentials });
    const key = secretsManagerEventsKey({
      secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:none',
      endpoint: proxy.endpoint,
      credentials,
    });
    await Promise.all([
      east.describePoolInstances(region, POOL_TAGS),
      east.describePoolInstances('us-west-2', POOL_TAGS),
      key().catch(() => null),
    ]);
    const assumes = () => proxy.seen.filter((call) => call.action === 'AssumeRoleWithWebIdentity');
    expect(assumes()).toHaveLength(1);
    expect(metadata.requests).toHaveLength(1);
    const first = await credentials();

    // Still fresh: no new token. Within five minutes of the expiry (the SDK clients ask
    // again then too) the next call renews, with a fresh ID token.
    now = first.expiration!.getTime() - 6 * 60_000;
    expect(await credentials()).toBe(first);
    expect(assumes()).toHaveLength(1);
    now = first.expiration!.getTime() - 4 * 60_000;
    const [renewed, same] = await Promise.all([credentials(), credentials()]);
    expect(same).toBe(renewed);
    // moto stamps expirations with the real clock: back to it, the renewed keys are fresh.
    now = Date.now();
    await createEc2Compute({ endpoint: proxy.endpoint, credentials }).describePoolInstances(
      region,
      POOL_TAGS,
    );
    expect(assumes()).toHaveLength(2);
    expect(metadata.requests).toHaveLength(2);
    expect(assumes()[1]!.params.get('WebIdentityToken')).toBe(metadata.tokens[1]);
    expect(renewed.accessKeyId).not.toBe(first.accessKeyId);
    const last = proxy.seen.filter((call) => call.action === 'DescribeInstances').at(-1)!;
    expect(credentialOf(last.headers)).toBe(renewed.accessKeyId);
  }, 60_000);

  it('a metadata server that refuses a token makes the AWS call fail with the reason', async () => {
    metadata.failWith = 404;
    const compute = createEc2Compute({ endpoint: proxy.endpoint, credentials: provider() });
    await expect(compute.describePoolInstances(region, POOL_TAGS)).rejects.toThrow(
      /metadata server refused an ID token \(HTTP 404\)/,
    );
    expect(proxy.seen.filter((call) => call.action === 'DescribeInstances')).toEqual([]);
  }, 60_000);

  it('the EC2 events key is read from Secrets Manager with the same credentials', async () => {
    const admin = new SecretsManagerClient({
      region,
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    const created = await admin.send(
      new CreateSecretCommand({ Name: 'vmpool-ec2-events', SecretString: 'the-shared-key' }),
    );
    const credentials = provider();
    const key = secretsManagerEventsKey({
      secretArn: created.ARN!,
      endpoint: proxy.endpoint,
      credentials,
    });
    expect(await key()).toBe('the-shared-key');
    expect(await key()).toBe('the-shared-key');
    const reads = proxy.seen.filter((call) => call.action === 'GetSecretValue');
    expect(reads).toHaveLength(1);
    expect(credentialOf(reads[0]!.headers)).toBe((await credentials()).accessKeyId);
  }, 60_000);
});
