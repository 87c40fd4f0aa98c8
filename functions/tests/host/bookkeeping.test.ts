// Issue 17: a claim's bookkeeping (allocation index entry, pool summary, status history) is one
// multi-path write, the summary moved by server increments. After many assigns at once the
// summary and the index still agree with the records, with no reconcile in between.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths, readPoolSummary, summarizePool, type VmStatus } from '@vmpool/core';
import type { RtdbServer } from '@vmpool/local/rtdb';
import { memoryLogger } from '@vmpool/core/ports';
import { MemoryCompute } from '../../src/adapters/memory';
import { startLocalFunctionsHost, type LocalFunctionsHost } from '../../src/host';
import { addCompetition, request, seedVm, testAccess, writeConfig } from '../support/fixtures';
import { freshAdminDb, releaseRtdb, sharedRtdb, type AdminDb } from '../support/rtdb';
import { waitFor } from '../support/wait';

let rtdb: RtdbServer;
let admin: AdminDb;
let host: LocalFunctionsHost;
const hostLog = memoryLogger();
const clock = { now: () => Date.now() };
const compute = new MemoryCompute({ clock });
const VMS = 12;
const COMPETITIONS = Array.from({ length: 16 }, (_, i) => `meet-${i + 1}`);

beforeAll(async () => {
  rtdb = await sharedRtdb();
  admin = await freshAdminDb(rtdb);
  await writeConfig(admin.db, {
    minWarmVMs: 0,
    maxTotalVMs: VMS,
    maxConcurrent: VMS,
    autoStopAfterHours: 0,
  });
  for (const competitionId of COMPETITIONS) await addCompetition(admin.db, competitionId);
  for (let n = 1; n <= VMS; n += 1) {
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
  // A running pool: reconcile has written the summary and the index from the records.
  await host.reconcileNow();
}, 120_000);

afterAll(async () => {
  expect(hostLog.lines.filter((line) => line.level === 'error')).toEqual([]);
  await host.stop();
  await admin.close();
  await releaseRtdb();
});

describe('bookkeeping under contention (issue 17)', () => {
  it('keeps the summary and the allocation index equal to the records after assigns at once', async () => {
    const ids = COMPETITIONS.map((_, i) => `req-bk-${i + 1}`);
    const batch: Record<string, unknown> = {};
    COMPETITIONS.forEach((competitionId, i) => {
      batch[paths.request(ids[i] ?? '')] = request('assign', { competitionId });
    });
    await admin.db.ref().update(batch);
    await waitFor(
      async () => {
        const all = ((await admin.db.ref(paths.requests()).get()).val() ?? {}) as Record<
          string,
          { result?: { state: string } }
        >;
        const done = ids.every((id) =>
          ['succeeded', 'failed'].includes(all[id]?.result?.state ?? ''),
        );
        return done ? true : undefined;
      },
      'all results',
      120_000,
    );
    await host.idle();

    const records = ((await admin.db.ref(paths.vms()).get()).val() ?? {}) as Record<
      string,
      { status: VmStatus; assignedTo?: string; healthStatus: string; region: string }
    >;
    const assigned = Object.values(records).filter((vm) => typeof vm.assignedTo === 'string');
    expect(assigned).toHaveLength(VMS);

    const expected = summarizePool(
      Object.values(records).map((vm) => ({
        status: vm.status,
        assigned: typeof vm.assignedTo === 'string',
      })),
      0,
      0,
      0,
    );
    const summary = readPoolSummary((await admin.db.ref(paths.poolSummary()).get()).val());
    expect(summary).not.toBeNull();
    expect({
      counts: summary?.counts,
      total: summary?.total,
      ready: summary?.ready,
      cold: summary?.cold,
    }).toEqual({
      counts: expected.counts,
      total: expected.total,
      ready: expected.ready,
      cold: expected.cold,
    });

    const index = ((await admin.db.ref('vmPool/allocation').get()).val() ?? {}) as Record<
      string,
      { status: string; assignedTo?: string }
    >;
    for (const [vmId, vm] of Object.entries(records)) {
      expect(index[vmId]?.status).toBe(vm.status);
      expect(index[vmId]?.assignedTo ?? null).toBe(vm.assignedTo ?? null);
    }
    // Every claim has its history entry (the same write as the index entry).
    const history = ((await admin.db.ref('vmPool/statusHistory').get()).val() ?? {}) as Record<
      string,
      Record<string, { status: string }>
    >;
    for (const vmId of Object.keys(records)) {
      expect(Object.values(history[vmId] ?? {}).some((entry) => entry.status === 'assigned')).toBe(
        true,
      );
    }
  }, 180_000);
});
