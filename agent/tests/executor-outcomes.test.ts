// The command executor's outcomes with real processes and the real database: timeouts
// (SIGTERM, then SIGKILL), non-zero exits, programs that cannot start, and output capping.
// The plans come from a planner of this test instead of the catalogue, so that the programs
// can misbehave on purpose; everything else is the agent's own code and client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '@vmpool/core/ports';
import { CommandExecutor } from '../src/commands/executor';
import type { CommandPlanner } from '../src/commands/plan';
import { localFirebase, type FirebaseClients } from '../src/runtime/firebase';
import { ServerClock } from '../src/runtime/server-clock';
import { seedVm, startStack, waitForValue, type TestStack } from './support/stack';

const VM = 'vm-801';
const node = process.execPath;
const PROGRAMS: Record<string, string[][]> = {
  start_obs: [
    [
      node,
      '-e',
      'console.log("working"); process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)',
    ],
  ],
  stop_obs: [[node, '-e', 'console.error("disk full"); process.exit(3)']],
  restart_obs: [['/nonexistent/program']],
  system_info: [
    [
      node,
      '-e',
      'process.stdout.write("x".repeat(30000) + "END"); process.stderr.write("e".repeat(9000))',
    ],
  ],
};
const planner: CommandPlanner = (raw) => {
  const op = (raw as { op: string }).op;
  const steps = PROGRAMS[op];
  return steps
    ? { kind: 'run', plan: { op, steps, timeoutMs: 1_500 } }
    : { kind: 'rejected', reason: 'not in this test' };
};

let stack: TestStack;
let clients: FirebaseClients;
let executor: CommandExecutor;
let clock: ServerClock;

beforeAll(async () => {
  stack = await startStack();
  await seedVm(stack.admin, VM);
  clients = localFirebase(stack.databaseUrl, { vmId: VM, instanceId: `local-${VM}` });
  clock = new ServerClock(clients.db);
  executor = new CommandExecutor(clients.db, VM, 'boot-test', planner, clock, memoryLogger(), {
    graceMs: 500,
    outputIntervalMs: 200,
  });
  executor.start();
});
afterAll(async () => {
  await executor.stop();
  clock.close();
  await clients.close();
  await stack.stop();
});

interface Outcome {
  status?: string;
  exitCode?: number;
  reason?: string;
  output?: { stdout: string; stderr: string; truncated: boolean };
}

async function run(op: string): Promise<Outcome> {
  const ref = stack.admin.ref(`vmPool/commands/${VM}`).push();
  await ref.set({ op, requestedBy: 'admin-1', requestedAt: Date.now() });
  return waitForValue<Outcome>(
    stack.admin,
    `vmPool/commands/${VM}/${ref.key ?? ''}`,
    (value) => ['succeeded', 'failed', 'timed_out', 'rejected'].includes(value?.status ?? ''),
    60_000,
  );
}

describe('command executor outcomes', () => {
  it('times out a program that ignores SIGTERM: killed after the grace, output kept', async () => {
    const outcome = await run('start_obs');
    expect(outcome.status).toBe('timed_out');
    expect(outcome.reason).toBe('did not finish within 2 s; stopped with SIGTERM then SIGKILL');
    expect(outcome.output?.stdout).toContain('working');
    expect(outcome.exitCode).toBeUndefined();
  });

  it('reports a non-zero exit with its code and stderr', async () => {
    const outcome = await run('stop_obs');
    expect(outcome).toMatchObject({ status: 'failed', exitCode: 3, reason: 'exited with code 3' });
    expect(outcome.output?.stderr).toBe('disk full\n');
  });

  it('reports a program that cannot start', async () => {
    const outcome = await run('restart_obs');
    expect(outcome).toMatchObject({
      status: 'failed',
      reason: 'could not start: /nonexistent/program: ENOENT',
    });
  });

  it('caps output at 24,000 / 8,000 characters and flags truncation', async () => {
    const outcome = await run('system_info');
    expect(outcome.status).toBe('succeeded');
    expect(outcome.output?.stdout).toHaveLength(24_000);
    expect(outcome.output?.stdout.endsWith('END')).toBe(true);
    expect(outcome.output?.stderr).toHaveLength(8_000);
    expect(outcome.output?.truncated).toBe(true);
  });
});
