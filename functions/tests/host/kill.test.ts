// The local functions host killed abruptly (the stack chaos suite's "functions host" fault):
// nothing of it acts afterwards, and a new host on the same database takes over.
import { afterAll, describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { memoryLogger } from '@vmpool/core/ports';
import type { LocalFunctionsHost } from '../../src/host';
import { addCompetition, request, seedVm } from '../support/fixtures';
import { startTestHost, useHostDatabase } from '../support/functions-host';
import { heldDescribe } from '../support/held-describe';
import { waitFor } from '../support/wait';

const env = useHostDatabase({
  config: { minWarmVMs: 0, autoStopAfterHours: 0 },
  seed: async (admin, compute) => {
    await addCompetition(admin.db, 'meet-1');
    await seedVm(admin.db, compute, 'vm-001', 'available', Date.now());
  },
});
const hosts: LocalFunctionsHost[] = [];
const start = async () => {
  const host = await startTestHost(env);
  hosts.push(host);
  return host;
};

// Registered after the database's hooks: the hosts stop before the database closes.
afterAll(async () => {
  for (const host of hosts) await host.stop();
});

const resultOf = async (requestId: string) =>
  ((await env.admin.db.ref(`${paths.request(requestId)}/result`).get()).val() ?? null) as {
    state: string;
  } | null;

describe('a killed functions host', () => {
  it('handles nothing after kill(); a new host picks up the request it left', async () => {
    const first = await start();
    await first.kill();
    await expect(first.reconcileNow()).rejects.toThrow(/killed|deleted/i);
    await env.admin.db
      .ref(paths.request('after-kill'))
      .set(request('assign', { competitionId: 'meet-1', options: {} }));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await resultOf('after-kill')).toBeNull();

    const second = await start();
    await waitFor(
      async () => ((await resultOf('after-kill'))?.state === 'succeeded' ? true : undefined),
      'the new host finishes the request',
    );
    expect((await env.admin.db.ref(`${paths.vm('vm-001')}/assignedTo`).get()).val()).toBe('meet-1');
    await second.idle();
  });
});

describe('a functions host stopped while its work cannot finish', () => {
  it('stops after stopDrainMs, saying what it left (it resumes on the next start)', async () => {
    // An AWS call that never answers: the reconcile started by reconcileNow hangs on it.
    const cloud = heldDescribe(env.compute, () => true);
    const logger = memoryLogger();
    const host = await startTestHost(
      { ...env, compute: cloud.compute },
      { logger, stopDrainMs: 500 },
    );
    void host.reconcileNow().catch(() => undefined);
    await waitFor(async () => cloud.asks() > 0 || undefined, 'the reconcile asks EC2');
    await host.stop();
    expect(logger.lines.filter((line) => line.level === 'warn')).toContainEqual(
      expect.objectContaining({
        message: expect.stringMatching(/stopping with work still running/),
        fields: expect.objectContaining({ reconciling: true, waitedMs: 500 }),
      }),
    );
  });
});

describe('a function that hangs', () => {
  it('is ended at its timeoutSeconds as Cloud Functions ends it, and the next reconcile runs', async () => {
    let hang = true;
    const cloud = heldDescribe(env.compute, () => hang);
    const host = await startTestHost(
      { ...env, compute: cloud.compute },
      { functionTimeoutSeconds: { scheduledReconcile: 0.5 }, stopDrainMs: 500 },
    );
    hosts.push(host);
    await expect(host.reconcileNow()).rejects.toThrow(/scheduledReconcile timed out after 0.5 s/);
    // The schedule is free again: the next run starts and asks EC2 (with the old host it
    // waited for the hung run forever). Its own end is not awaited: 0.5 s is short on a
    // loaded machine.
    hang = false;
    const before = cloud.asks();
    void host.reconcileNow().catch(() => undefined);
    await waitFor(async () => cloud.asks() > before || undefined, 'the next reconcile asks EC2');
  });
});
