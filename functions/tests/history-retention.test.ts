// Status history retention in reconcile (issue 13): entries past statusHistoryRetentionDays go
// in bounded batches, only once the month they bill in has a final rollup, and no cost is lost.
import { describe, expect, it } from 'vitest';
import {
  monthlyCost,
  parseMonthlyCost,
  parseStatusHistory,
  paths,
  priceLookup,
  STATUS_HISTORY_PRUNE_BATCH,
  type StatusHistoryEntry,
  type VmStatusHistory,
} from '@vmpool/core';
import type { Database } from 'firebase-admin/database';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { statusHistoryEntryId } from '../src/store/rtdb/schedule';
import { T0 } from './support/deps';
import { givenPool, QUIET_POOL } from './support/pool';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// T0 is 2027-01-15 08:00 UTC: with 35 days kept, entries before 2026-12-11 08:00 may go.
const RETENTION_DAYS = 35;
const CUTOFF = T0 - RETENTION_DAYS * DAY;

function entry(
  at: number,
  status: StatusHistoryEntry['status'],
  assignedTo: string | null = null,
): StatusHistoryEntry {
  return {
    at,
    status,
    ec2State:
      status === 'stopped' ? 'stopped' : status === 'terminating' ? 'terminated' : 'running',
    assignedTo,
    instanceType: 't3.large',
    region: 'us-east-1',
    cause: 'test',
  };
}

async function writeHistory(db: Database, histories: VmStatusHistory[]): Promise<void> {
  const update: Record<string, unknown> = {};
  for (const { vmId, entries } of histories) {
    for (const e of entries) update[paths.statusHistoryEntry(vmId, statusHistoryEntryId(e))] = e;
  }
  const keys = Object.keys(update);
  for (let i = 0; i < keys.length; i += 100) {
    await db
      .ref('/')
      .update(Object.fromEntries(keys.slice(i, i + 100).map((key) => [key, update[key]])));
  }
}

async function storedHistory(db: Database): Promise<VmStatusHistory[]> {
  return parseStatusHistory((await db.ref(paths.statusHistory()).get()).val()).vms;
}

async function storedMonth(db: Database, month: string) {
  const parsed = parseMonthlyCost((await db.ref(paths.monthlyCost(month)).get()).val());
  if (!parsed.ok) throw new Error(`${month}: ${parsed.errors.join('; ')}`);
  return parsed.value;
}

describe('status history retention', () => {
  it('rolls up old months first, then prunes what they counted in bounded batches, losing no cost', async () => {
    const { clock, deps } = await givenPool(env.admin.db, {
      config: { ...QUIET_POOL, statusHistoryRetentionDays: RETENTION_DAYS },
      vms: { 'vm-001': 'stopped' },
    });
    const oct = Date.UTC(2026, 9, 1);
    // vm-001: a show in October, idle in November, stopped since 2026-12-01 (its record says
    // so: statusChangedAt is T0, so its last entry is at T0 too, as the store writes it).
    const vm1 = [
      entry(oct + 2 * DAY, 'available'),
      entry(oct + 3 * DAY, 'assigned', 'meet-oct'),
      entry(oct + 3 * DAY + 3 * HOUR, 'available'),
      entry(Date.UTC(2026, 11, 1), 'stopped'),
      entry(T0, 'stopped'),
    ];
    // vm-007: terminated in November (its record is gone): its whole history may go.
    const vm7 = [
      entry(Date.UTC(2026, 10, 2), 'available'),
      entry(Date.UTC(2026, 10, 3), 'assigned', 'meet-nov'),
      entry(Date.UTC(2026, 10, 4), 'terminating'),
    ];
    // vm-003: hourly flapping in October (more than one batch), stopped since.
    const vm3: StatusHistoryEntry[] = [];
    for (let i = 0; i < STATUS_HISTORY_PRUNE_BATCH + 100; i += 1) {
      vm3.push(entry(oct + 10 * DAY + i * HOUR, i % 2 === 0 ? 'available' : 'assigned', 'm'));
    }
    vm3.push(entry(Date.UTC(2026, 10, 20), 'stopped'));
    const seeded: VmStatusHistory[] = [
      { vmId: 'vm-001', entries: vm1 },
      { vmId: 'vm-003', entries: vm3 },
      { vmId: 'vm-007', entries: vm7 },
    ];
    await writeHistory(env.admin.db, seeded);
    const prices = priceLookup({ hourlyPrices: {} });
    const expected = (month: string) =>
      monthlyCost({ month, histories: seeded, prices, through: T0, updatedAt: T0 });

    clock.advance(1000);
    const first = await reconcile(deps);
    // October and November had no rollup (from before costs were rolled up): rolled up first,
    // complete; December by the cost rollup itself (the previous month).
    expect(first.historyRetention.costMonthsFinalised).toEqual(['2026-10', '2026-11']);
    for (const month of ['2026-10', '2026-11', '2026-12']) {
      const stored = await storedMonth(env.admin.db, month);
      const want = expected(month);
      expect(stored.through).toBe(want.through);
      expect({ ...stored, updatedAt: 0 }).toEqual({ ...want, updatedAt: 0 });
    }
    // One batch went, oldest first; the rest waits.
    expect(first.historyRetention.historyPruned).toBe(STATUS_HISTORY_PRUNE_BATCH);
    expect(first.historyRetention.historyPruneRemaining).toBeGreaterThan(0);

    clock.advance(60_000);
    const second = await reconcile(deps);
    expect(second.historyRetention.historyPruneRemaining).toBe(0);
    const third = await reconcile(deps);
    expect(third.historyRetention.historyPruned).toBe(0);

    const left = await storedHistory(env.admin.db);
    const byVm = Object.fromEntries(left.map((h) => [h.vmId, h.entries]));
    // Each VM keeps what it was doing at the cutoff; nothing newer than the cutoff went.
    expect(byVm['vm-001']).toEqual([entry(Date.UTC(2026, 11, 1), 'stopped'), entry(T0, 'stopped')]);
    expect(byVm['vm-003']).toEqual([entry(Date.UTC(2026, 10, 20), 'stopped')]);
    expect(byVm['vm-007']).toBeUndefined();
    for (const history of left) {
      for (const e of history.entries.slice(1)) expect(e.at).toBeGreaterThanOrEqual(CUTOFF);
    }
    // The months still computed from the history come out as before; the old ones are kept.
    for (const month of ['2026-10', '2026-11', '2026-12']) {
      expect({ ...(await storedMonth(env.admin.db, month)), updatedAt: 0 }).toEqual({
        ...expected(month),
        updatedAt: 0,
      });
    }
    const january = await storedMonth(env.admin.db, '2027-01');
    expect(january.total).toEqual(
      monthlyCost({
        month: '2027-01',
        histories: seeded,
        prices,
        through: clock.now(),
        updatedAt: 0,
      }).total,
    );
  });

  it('prunes nothing while the retention has not passed', async () => {
    const { clock, deps } = await givenPool(env.admin.db, {
      config: { ...QUIET_POOL, statusHistoryRetentionDays: 90 },
      vms: { 'vm-001': 'available' },
    });
    await writeHistory(env.admin.db, [
      {
        vmId: 'vm-001',
        entries: [entry(T0 - 60 * DAY, 'available'), entry(T0 - 50 * DAY, 'stopped')],
      },
    ]);
    clock.advance(1000);
    const report = await reconcile(deps);
    expect(report.historyRetention).toEqual({
      historyPruned: 0,
      historyPruneRemaining: 0,
      costMonthsFinalised: [],
    });
    expect((await storedHistory(env.admin.db))[0]?.entries).toHaveLength(3);
  });
});
