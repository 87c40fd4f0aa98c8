// An agent whose clock runs 10 minutes ahead of the database: every time it writes is on the
// server's clock (the rules reject times more than a minute in the future), and command TTLs
// are judged on the server's clock too, so a fresh command is not taken for a stale one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  killAgent,
  startRegisteredAgent,
  startStack,
  waitForValue,
  type AgentProcess,
  type TestStack,
} from './support/stack';

const SKEW_MS = 10 * 60_000;
let stack: TestStack;
let agent: AgentProcess;

beforeAll(async () => {
  stack = await startStack({ serverClockOffsetMs: -SKEW_MS });
  agent = await startRegisteredAgent(stack, 'vm-501');
});
afterAll(async () => {
  await killAgent(agent);
  await stack.stop();
});

describe('clock skew', () => {
  it('registers with startedAt on the server clock', async () => {
    const startedAt = (
      await stack.admin.ref('vmPool/vms/vm-501/agent/startedAt').get()
    ).val() as number;
    const serverNow = Date.now() - SKEW_MS;
    expect(startedAt).toBeLessThanOrEqual(serverNow + 60_000);
    expect(startedAt).toBeGreaterThan(serverNow - 5 * 60_000);
  });

  it('runs a fresh command instead of expiring it, with accepted timestamps', async () => {
    const node = stack.admin.ref('vmPool/commands/vm-501').push();
    await node.set({
      op: 'restart_nimble',
      requestedBy: 'admin-1',
      requestedAt: Date.now() - SKEW_MS,
    });
    const done = await waitForValue<{
      status?: string;
      claim?: { at: number };
      finishedAt?: number;
      reason?: string;
    }>(
      stack.admin,
      `vmPool/commands/vm-501/${node.key ?? ''}`,
      (value) =>
        ['succeeded', 'failed', 'timed_out', 'rejected', 'expired'].includes(value?.status ?? ''),
      90_000,
      agent,
    );
    expect(done.status).toBe('succeeded');
    expect(done.claim?.at).toBeLessThanOrEqual(Date.now() - SKEW_MS + 60_000);
  });
});
