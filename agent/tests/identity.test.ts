// Identity at boot, against real HTTP stand-ins: IMDSv2 through the AWS SDK, and the token
// client's handling of refusals, failures, bad answers and expiry.
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '@vmpool/core/ports';
import { createMetadataService, readInstanceIdentity } from '../src/identity/imds';
import { AgentSession } from '../src/identity/session';
import { exchangeIdentity, TokenExchangeError } from '../src/identity/token-client';
import { startImds, startTokenFunction, type StandIn } from './support/http-stand-ins';

const DOCUMENT = {
  accountId: '123456789012',
  architecture: 'x86_64',
  availabilityZone: 'us-east-1b',
  imageId: 'ami-0123456789abcdef0',
  instanceId: 'i-0abc123def4567890',
  instanceType: 't3.large',
  pendingTime: '2026-11-27T05:00:00Z',
  privateIp: '10.0.1.23',
  region: 'us-east-1',
  version: '2017-09-30',
};
const SIGNATURE = 'c2lnbmF0dXJl\nbGluZXM=';

const request = { document: '{}', signature: 'sig', nonce: 'n'.repeat(64) };

const standIns: StandIn[] = [];
afterEach(async () => {
  await Promise.all(standIns.splice(0).map((standIn) => standIn.close()));
});

describe('IMDSv2 identity', () => {
  it('reads the document, its signature and the addresses, always with a session token', async () => {
    const imds = await startImds({
      document: DOCUMENT,
      signature: SIGNATURE,
      publicIp: '54.1.2.3',
    });
    standIns.push(imds);
    const identity = await readInstanceIdentity(createMetadataService({ endpoint: imds.url }));
    expect(identity).toMatchObject({
      instanceId: 'i-0abc123def4567890',
      region: 'us-east-1',
      availabilityZone: 'us-east-1b',
      instanceType: 't3.large',
      publicIp: '54.1.2.3',
      privateIp: '10.0.1.23',
      signature: 'c2lnbmF0dXJlbGluZXM=',
    });
    // The raw text is kept: the function verifies the signature over these exact bytes.
    expect(identity.document).toBe(JSON.stringify(DOCUMENT, null, 2));
    expect(
      imds.requests.filter((line) => line.startsWith('PUT /latest/api/token')).length,
    ).toBeGreaterThanOrEqual(1);
  });

  it('reports no public address when IMDS has none (404)', async () => {
    const imds = await startImds({ document: DOCUMENT, signature: SIGNATURE, publicIp: null });
    standIns.push(imds);
    const identity = await readInstanceIdentity(createMetadataService({ endpoint: imds.url }));
    expect(identity.publicIp).toBeNull();
  });
});

describe('agentToken client', () => {
  it('sends document, signature and nonce and returns the grant with the server clock', async () => {
    const fn = await startTokenFunction([
      {
        status: 200,
        body: { token: 'custom-token', vmId: 'vm-007', expiresAt: 1_800_000_000_000 },
        date: 'Fri, 27 Nov 2026 06:00:00 GMT',
      },
    ]);
    standIns.push(fn);
    const grant = await exchangeIdentity(fn.url, request);
    expect(fn.bodies).toEqual([request]);
    expect(grant).toEqual({
      token: 'custom-token',
      vmId: 'vm-007',
      expiresAt: 1_800_000_000_000,
      serverNow: Date.parse('2026-11-27T06:00:00Z'),
    });
  });

  it('classifies a refusal (forged or replayed document) as not retryable, with its code', async () => {
    const fn = await startTokenFunction([
      {
        status: 403,
        body: { error: { code: 'REPLAYED', message: 'nonce does not match the first one seen' } },
      },
    ]);
    standIns.push(fn);
    const error = await exchangeIdentity(fn.url, request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TokenExchangeError);
    expect(error).toMatchObject({ code: 'REPLAYED', httpStatus: 403, retryable: false });
    expect((error as Error).message).toBe(
      'agentToken refused (403 REPLAYED): nonce does not match the first one seen',
    );
  });

  it('classifies 5xx, malformed answers and an unreachable function as retryable', async () => {
    const fn = await startTokenFunction([
      { status: 503, body: 'overloaded' },
      { status: 200, body: { token: '', vmId: 'vm-1' } },
    ]);
    standIns.push(fn);
    await expect(exchangeIdentity(fn.url, request)).rejects.toMatchObject({
      code: 'HTTP_503',
      retryable: true,
    });
    await expect(exchangeIdentity(fn.url, request)).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
      retryable: true,
    });
    await expect(exchangeIdentity('http://127.0.0.1:1', request)).rejects.toMatchObject({
      code: 'NETWORK',
      retryable: true,
    });
  });
});

describe('AgentSession', () => {
  it('retries refusals and failures with backoff, logs each clearly, then signs in', async () => {
    const fn = await startTokenFunction([
      { status: 500, body: { error: { code: 'INTERNAL', message: 'boom' } } },
      {
        status: 403,
        body: { error: { code: 'NOT_IN_POOL', message: 'instance not tagged into the pool' } },
      },
      { status: 200, body: { token: 'tok-1', vmId: 'vm-003', expiresAt: Date.now() + 3_600_000 } },
    ]);
    standIns.push(fn);
    const log = memoryLogger();
    const signedIn: string[] = [];
    const fast = { initialMs: 20, maxMs: 50, factor: 2 };
    const session = new AgentSession({
      exchange: () => exchangeIdentity(fn.url, request),
      signIn: async (token) => {
        signedIn.push(token);
      },
      log,
      now: () => Date.now(),
      random: () => 0.5,
      retryPolicy: fast,
      refusalPolicy: fast,
    });
    const grant = await session.start();
    session.stop();
    expect(grant.vmId).toBe('vm-003');
    expect(signedIn).toEqual(['tok-1']);
    expect(log.lines.map((line) => [line.level, line.message])).toEqual([
      ['warn', expect.stringMatching(/^sign-in failed \(attempt 1\); retrying in \d+ s$/)],
      ['warn', expect.stringMatching(/^sign-in failed \(attempt 2\); retrying in \d+ s$/)],
      ['info', 'sign-in succeeded'],
    ]);
    expect(log.lines[1]?.fields).toMatchObject({ code: 'NOT_IN_POOL', httpStatus: 403 });
  });

  it('exchanges again before the token expires, and keeps going when a refresh fails', async () => {
    // A 12 s token refreshes after ~9.6 s (a fifth of the lifetime as margin, min 10 s):
    // the second exchange fails, the third succeeds.
    const expiresSoon = () => ({
      status: 200,
      body: { token: `tok-${Date.now()}`, vmId: 'vm-004', expiresAt: Date.now() + 12_000 },
    });
    const fn = await startTokenFunction([
      expiresSoon(),
      { status: 502, body: 'bad gateway' },
      {
        status: 200,
        body: { token: 'tok-late', vmId: 'vm-004', expiresAt: Date.now() + 3_600_000 },
      },
    ]);
    standIns.push(fn);
    const log = memoryLogger();
    const signedIn: string[] = [];
    const session = new AgentSession({
      exchange: () => exchangeIdentity(fn.url, request),
      signIn: async (token) => {
        signedIn.push(token);
      },
      log,
      now: () => Date.now(),
      random: () => 0,
      retryPolicy: { initialMs: 100, maxMs: 100, factor: 1 },
    });
    await session.start();
    const until = Date.now() + 30_000;
    while (signedIn.length < 2 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 100));
    session.stop();
    expect(signedIn).toHaveLength(2);
    expect(signedIn[1]).toBe('tok-late');
    expect(log.lines.map((line) => line.message)).toEqual([
      'sign-in succeeded',
      expect.stringMatching(/^refresh failed \(attempt 1\)/),
      'refresh succeeded',
    ]);
  }, 40_000);
});
