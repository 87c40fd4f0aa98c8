import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import type { RtdbServer } from '@vmpool/local/rtdb';
import { MemoryCompute } from '../../src/adapters/memory';
import { startLocalFunctionsHost, type LocalFunctionsHost } from '../../src/host';
import { memoryLogger } from '@vmpool/core/ports';
import { addCompetition, request, seedVm, testAccess, writeConfig } from '../support/fixtures';
import { freshAdminDb, releaseRtdb, sharedRtdb, type AdminDb } from '../support/rtdb';
import { waitFor } from '../support/wait';

let rtdb: RtdbServer;
let admin: AdminDb;
let host: LocalFunctionsHost;
const hostLog = memoryLogger();
const clock = { now: () => Date.now() };
const compute = new MemoryCompute({ clock });
const COMPETITIONS = Array.from({ length: 50 }, (_, i) => `meet-${String(i + 1).padStart(2, '0')}`);

beforeAll(async () => {
  rtdb = await sharedRtdb();
  admin = await freshAdminDb(rtdb);
  await writeConfig(admin.db, {
    minWarmVMs: 0,
    maxTotalVMs: 20,
    maxConcurrent: 20,
    autoStopAfterHours: 0,
  });
  for (const competitionId of COMPETITIONS) await addCompetition(admin.db, competitionId);
  for (let n = 1; n <= 20; n += 1) {
    await seedVm(admin.db, compute, `vm-${String(n).padStart(3, '0')}`, 'available', Date.now());
  }
  host = await startLocalFunctionsHost({
    databaseUrl: admin.databaseUrl,
    compute,
    clock,
    access: testAccess,
    logger: hostLog,
    reconcileIntervalMs: 0,
  });
}, 60_000);

afterAll(async () => {
  // No trigger may have failed along the way.
  expect(hostLog.lines.filter((line) => line.level === 'error')).toEqual([]);
  await host.stop();
  await admin.close();
  await releaseRtdb();
});

type Result = { state: string; error?: { code: string; message: string }; vmId?: string };

async function finalResults(ids: string[]): Promise<Record<string, Result> | undefined> {
  const all = ((await admin.db.ref(paths.requests()).get()).val() ?? {}) as Record<
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
  const vms = ((await admin.db.ref(paths.vms()).get()).val() ?? {}) as Record<
    string,
    { status: string; assignedTo?: string }
  >;
  const competitions = ((await admin.db.ref(paths.competitions()).get()).val() ?? {}) as Record<
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
    await admin.db.ref().update(batch);
    const results = await waitFor(() => finalResults(ids), 'all 50 results', 120_000);
    await host.idle();

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
    const target = { instance: admin.ns, host: new URL(admin.databaseUrl).host };
    await Promise.all(
      ids.map(async (id) => {
        const value = (await admin.db.ref(paths.request(id)).get()).val() as unknown;
        await onPoolRequestCreated(
          rtdbCloudEvent(target, RTDB_EVENT_TYPES.created, paths.request(id), null, value) as never,
        );
      }),
    );
    await host.reconcileNow();
    expect(await snapshotState()).toEqual(before);
  }, 120_000);
});
