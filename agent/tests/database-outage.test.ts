// The database goes away and comes back (here: a restarted server that lost its data, the
// harshest case): the agent keeps running, reconnects on its own and registers again with its
// latest findings, with presence set up anew.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtdbServer } from '@vmpool/local/rtdb';
import {
  killAgent,
  RULES_FILE,
  seedVm,
  startRegisteredAgent,
  startStack,
  waitForValue,
  type AgentProcess,
  type TestStack,
} from './support/stack';

let stack: TestStack;
let agent: AgentProcess;

beforeAll(async () => {
  stack = await startStack();
  agent = await startRegisteredAgent(stack, 'vm-601');
});
afterAll(async () => {
  await killAgent(agent);
  await stack.stop();
});

describe('database outage', () => {
  it('reconnects and re-registers after the database comes back', async () => {
    const port = stack.rtdb.port;
    await stack.rtdb.stop();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(agent.child.exitCode).toBeNull();

    stack.rtdb = await startRtdbServer({ port, rules: RULES_FILE, quiet: true });
    await seedVm(stack.admin, 'vm-601');
    const node = await waitForValue<{
      online?: boolean;
      show?: { reachable: boolean };
      services?: object;
    }>(
      stack.admin,
      'vmPool/vms/vm-601/agent',
      (value) => value?.online === true && value.show !== undefined && value.services !== undefined,
      90_000,
      agent,
    );
    expect(node.show?.reachable).toBe(true);
    expect(agent.output()).toContain('database connection lost');

    // Presence was set up again on the new connection.
    agent.child.kill('SIGKILL');
    await waitForValue(
      stack.admin,
      'vmPool/vms/vm-601/agent/online',
      (online) => online === false,
      30_000,
    );
  });
});
