// Issue 17: a claim's bookkeeping (allocation index entry, pool summary, status history) is one
// multi-path write, the summary moved by server increments. After many assigns at once the
// summary and the index still agree with the records, with no reconcile in between.
import { beforeAll, describe, expect, it } from 'vitest';
import { paths, readPoolSummary, summarizePool, type VmStatus } from '@vmpool/core';
import { addCompetition, request, seedVm } from '../support/fixtures';
import { useFunctionsHost } from '../support/functions-host';
import { waitFor } from '../support/wait';

const VMS = 12;
const COMPETITIONS = Array.from({ length: 16 }, (_, i) => `meet-${i + 1}`);

const env = useFunctionsHost({
  config: {
    minWarmVMs: 0,
    maxTotalVMs: VMS,
    maxConcurrent: VMS,
    autoStopAfterHours: 0,
  },
  seed: async (admin, compute) => {
    for (const competitionId of COMPETITIONS) await addCompetition(admin.db, competitionId);
    for (let n = 1; n <= VMS; n += 1) {
      await seedVm(admin.db, compute, `vm-${String(n).padStart(3, '0')}`, 'available', Date.now());
    }
  },
  failOnErrorLogs: true,
});

beforeAll(async () => {
  // A running pool: reconcile has written the summary and the index from the records.
  await env.host.reconcileNow();
});

describe('bookkeeping under contention (issue 17)', () => {
  it('keeps the summary and the allocation index equal to the records after assigns at once', async () => {
    const ids = COMPETITIONS.map((_, i) => `req-bk-${i + 1}`);
    const batch: Record<string, unknown> = {};
    COMPETITIONS.forEach((competitionId, i) => {
      batch[paths.request(ids[i] ?? '')] = request('assign', { competitionId });
    });
    await env.admin.db.ref().update(batch);
    await waitFor(
      async () => {
        const all = ((await env.admin.db.ref(paths.requests()).get()).val() ?? {}) as Record<
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
    await env.host.idle();

    const records = ((await env.admin.db.ref(paths.vms()).get()).val() ?? {}) as Record<
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
    const summary = readPoolSummary((await env.admin.db.ref(paths.poolSummary()).get()).val());
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

    const index = ((await env.admin.db.ref('vmPool/allocation').get()).val() ?? {}) as Record<
      string,
      { status: string; assignedTo?: string }
    >;
    for (const [vmId, vm] of Object.entries(records)) {
      expect(index[vmId]?.status).toBe(vm.status);
      expect(index[vmId]?.assignedTo ?? null).toBe(vm.assignedTo ?? null);
    }
    // Every claim has its history entry (the same write as the index entry).
    const history = ((await env.admin.db.ref('vmPool/statusHistory').get()).val() ?? {}) as Record<
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
