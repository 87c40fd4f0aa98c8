// The production boot path up to sign-in, with the agent as a real process: identity from a
// stand-in IMDS (IMDSv2), the token exchange against a stand-in agentToken function that
// refuses, clear log lines, retry instead of a crash, and the same nonce after a restart.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startImds, startTokenFunction, type StandIn } from './support/http-stand-ins';
import { REPO_ROOT, spawnAgentProcess } from './support/stack';

const DOCUMENT = {
  accountId: '123456789012',
  availabilityZone: 'eu-west-1a',
  instanceId: 'i-0fedcba9876543210',
  instanceType: 't3.large',
  pendingTime: '2026-11-27T05:00:00Z',
  privateIp: '10.1.2.3',
  region: 'eu-west-1',
};

let imds: StandIn;
let tokenFunction: StandIn & { bodies: unknown[] };
let stateDir: string;

beforeAll(async () => {
  imds = await startImds({ document: DOCUMENT, signature: 'c2lnbmVk', publicIp: '34.1.2.3' });
  tokenFunction = await startTokenFunction([
    {
      status: 403,
      body: {
        error: { code: 'REPLAYED', message: 'identity document already used with another nonce' },
      },
    },
  ]);
  stateDir = await mkdtemp(join(tmpdir(), 'vmpool-agent-prod-'));
});
afterAll(async () => {
  await imds.close();
  await tokenFunction.close();
  await rm(stateDir, { recursive: true, force: true });
});

function bootProductionAgent() {
  return spawnAgentProcess(
    [
      '--database-url',
      'https://demo-vmpool-default-rtdb.firebaseio.com',
      '--functions-base-url',
      tokenFunction.url,
      '--api-key',
      'test-api-key',
      '--project-id',
      'demo-vmpool',
      '--imds-endpoint',
      imds.url,
      '--state-dir',
      stateDir,
    ],
    REPO_ROOT,
  );
}

async function waitUntil(check: () => boolean, what: string, output: () => string): Promise<void> {
  const until = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('production boot path', () => {
  it('sends the raw identity document, its signature and a persisted nonce; handles refusal', async () => {
    const first = bootProductionAgent();
    await waitUntil(
      () => tokenFunction.bodies.length >= 1 && first.output().includes('sign-in failed'),
      'the first exchange',
      first.output,
    );
    const body = tokenFunction.bodies[0] as { document: string; signature: string; nonce: string };
    expect(JSON.parse(body.document)).toEqual(DOCUMENT);
    expect(body.signature).toBe('c2lnbmVk');
    expect(body.nonce).toMatch(/^[0-9a-f]{64}$/);
    expect(first.output()).toMatch(
      /sign-in failed \(attempt 1\); retrying in \d+ s.*"code":"REPLAYED","httpStatus":403/,
    );
    expect(first.child.exitCode).toBeNull();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const state = JSON.parse(await readFile(join(stateDir, 'agent-state.json'), 'utf8')) as {
      instanceId: string;
      nonce: string;
    };
    expect(state).toMatchObject({ instanceId: 'i-0fedcba9876543210', nonce: body.nonce });

    // A restarted agent proves continuity with the same nonce.
    const second = bootProductionAgent();
    await waitUntil(() => tokenFunction.bodies.length >= 2, 'the second exchange', second.output);
    second.child.kill('SIGTERM');
    await second.exited;
    expect((tokenFunction.bodies[1] as { nonce: string }).nonce).toBe(body.nonce);
  });
});
