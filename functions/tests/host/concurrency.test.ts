import { describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { addCompetition, request, seedVm } from '../support/fixtures';
import { useFunctionsHost } from '../support/functions-host';
import { waitFor } from '../support/wait';

const COMPETITIONS = Array.from({ length: 50 }, (_, i) => `meet-${String(i + 1).padStart(2, '0')}`);

const env = useFunctionsHost({
  config: {
    minWarmVMs: 0,
    maxTotalVMs: 20,
    maxConcurrent: 20,
    autoStopAfterHours: 0,
  },
  seed: async (admin, compute) => {
    for (const competitionId of COMPETITIONS) await addCompetition(admin.db, competitionId);
    for (let n = 1; n <= 20; n += 1) {
      await seedVm(admin.db, compute, `vm-${String(n).padStart(3, '0')}`, 'available', Date.now());
    }
  },
  // No trigger may have failed along the way.
  failOnErrorLogs: true,
});

type Result = { state: string; error?: { code: string; message: string }; vmId?: string };

async function finalResults(ids: string[]): Promise<Record<string, Result> | undefined> {
  const all = ((await env.admin.db.ref(paths.requests()).get()).val() ?? {}) as Record<
    string,
    { result?: Result }
  >;
  const results: Record<string, Result> = {};
  for (const id of ids) {
    const result = all[id]?.result;
    if (result?.state !== 'succeeded' && result?.state !== 'failed') return undefined;
    results[id] = result;
  }
  return results;
}

async function snapshotState() {
  const vms = ((await env.admin.db.ref(paths.vms()).get()).val() ?? {}) as Record<
    string,
    { status: string; assignedTo?: string }
  >;
  const competitions = ((await env.admin.db.ref(paths.competitions()).get()).val() ?? {}) as Record<
    string,
    { config: { vmId?: string } }
  >;
  return {
    vms: Object.fromEntries(
      Object.entries(vms).map(([id, vm]) => [id, [vm.status, vm.assignedTo ?? null]]),
    ),
    links: Object.fromEntries(
      Object.entries(competitions).map(([id, competition]) => [
        id,
        competition.config.vmId ?? null,
      ]),
    ),
  };
}

describe('50 assigns for 50 competitions at once over 20 warm VMs', () => {
  const ids = COMPETITIONS.map((_, i) => `req-${i + 1}`);

  it('gives exactly 20 distinct VMs to 20 competitions; the rest fail clearly', async () => {
    const batch: Record<string, unknown> = {};
    COMPETITIONS.forEach((competitionId, i) => {
      batch[paths.request(ids[i] ?? '')] = request('assign', { competitionId });
    });
    await env.admin.db.ref().update(batch);
    const results = await waitFor(() => finalResults(ids), 'all 50 results', 120_000);
    await env.host.idle();

    const succeeded = Object.values(results).filter((result) => result.state === 'succeeded');
    const failed = Object.values(results).filter((result) => result.state === 'failed');
    expect(succeeded).toHaveLength(20);
    expect(new Set(succeeded.map((result) => result.vmId)).size).toBe(20);
    expect(failed).toHaveLength(30);
    // Nothing is free and the pool is at maxTotalVMs: "no VM available", not a concurrency cap.
    for (const result of failed) {
      expect(result.error?.code).toBe('NO_VM_AVAILABLE');
      expect(result.error?.message).toMatch(/^No VM available: /);
    }

    const { vms, links } = await snapshotState();
    const holders = Object.values(vms).map(([, assignedTo]) => assignedTo);
    expect(holders.every((holder) => holder !== null)).toBe(true);
    expect(new Set(holders).size).toBe(20);
    const linked = Object.entries(links).filter(([, vmId]) => vmId !== null);
    expect(linked).toHaveLength(20);
    for (const [competitionId, vmId] of linked) {
      expect(vms[vmId ?? '']?.[1]).toBe(competitionId);
    }
  }, 180_000);

  it('delivering every request again changes nothing', async () => {
    const before = await snapshotState();
    const { onPoolRequestCreated } = await import('../../src/triggers/request-created');
    const { rtdbCloudEvent, RTDB_EVENT_TYPES } = await import('../../src/host/cloud-event');
    const target = { instance: env.admin.ns, host: new URL(env.admin.databaseUrl).host };
    await Promise.all(
      ids.map(async (id) => {
        const value = (await env.admin.db.ref(paths.request(id)).get()).val() as unknown;
        await onPoolRequestCreated(
          rtdbCloudEvent(target, RTDB_EVENT_TYPES.created, paths.request(id), null, value) as never,
        );
      }),
    );
    await env.host.reconcileNow();
    expect(await snapshotState()).toEqual(before);
  }, 120_000);
});
