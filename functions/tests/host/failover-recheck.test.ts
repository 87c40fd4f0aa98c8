// Failover without a reconcile tick (issue 12): in the local functions host with no scheduled
// reconcile at all, a show VM whose agent goes offline (and whose show server does not answer)
// is switched to the spare by the `failoverRecheck` task function, run from the host's timer as
// Cloud Tasks would run it, once the failure lasted failoverAfterSeconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths, type FailoverRecord } from '@vmpool/core';
import { memoryLogger } from '@vmpool/core/ports';
import type { RtdbServer } from '@vmpool/local/rtdb';
import { MemoryCompute } from '../../src/adapters/memory';
import { startLocalFunctionsHost, type LocalFunctionsHost } from '../../src/host';
import {
  addCompetition,
  request,
  seedVm,
  testAccess,
  writeConfig,
  writeRequest,
} from '../support/fixtures';
import { freshAdminDb, releaseRtdb, sharedRtdb, type AdminDb } from '../support/rtdb';
import { tableShowProbe } from '../support/show-probe';
import { waitFor } from '../support/wait';

let rtdb: RtdbServer;
let admin: AdminDb;
let host: LocalFunctionsHost;
const hostLog = memoryLogger();
const clock = { now: () => Date.now() };
const compute = new MemoryCompute({ clock });
const probe = tableShowProbe();

beforeAll(async () => {
  rtdb = await sharedRtdb();
  admin = await freshAdminDb(rtdb);
  await writeConfig(admin.db, {
    minWarmVMs: 0,
    autoStopAfterHours: 0,
    agentStaleSeconds: 900,
    failoverMode: 'auto',
    failoverAfterSeconds: 10,
  });
  await addCompetition(admin.db, 'meet-1');
  await seedVm(admin.db, compute, 'vm-001', 'available', Date.now());
  host = await startLocalFunctionsHost({
    databaseUrl: admin.databaseUrl,
    compute,
    clock,
    access: testAccess,
    logger: hostLog,
    showProbe: probe,
    // No scheduled reconcile: only triggers and the re-check timer run.
    reconcileIntervalMs: 0,
  });
}, 60_000);

afterAll(async () => {
  expect(hostLog.lines.filter((line) => line.level === 'error')).toEqual([]);
  await host.stop();
  await admin.close();
  await releaseRtdb();
});

async function competitionVm(): Promise<{ vmId?: string; vmAddress?: string }> {
  return ((await admin.db.ref(paths.competitionConfig('meet-1')).get()).val() ?? {}) as {
    vmId?: string;
    vmAddress?: string;
  };
}

describe('failover re-check in the local functions host', () => {
  it('switches the show once the failure lasted failoverAfterSeconds, with no reconcile', async () => {
    await writeRequest(admin.db, 'a1', request('assign', { competitionId: 'meet-1' }));
    const live = await waitFor(
      async () => ((await competitionVm()).vmId === 'vm-001' ? await competitionVm() : undefined),
      'meet-1 on vm-001',
    );
    await seedVm(admin.db, compute, 'vm-002', 'available', Date.now());
    await host.idle();

    // vm-001 dies: its show server stops answering and its agent's presence goes false.
    probe.down(live.vmAddress!);
    const offlineAt = Date.now();
    await admin.db.ref(`${paths.vmAgent('vm-001')}/online`).set(false);

    const record = await waitFor(
      async () => {
        const value = (await admin.db.ref(paths.failover('meet-1')).get()).val() as FailoverRecord;
        return value?.state === 'switched' && value.liveAt !== null ? value : undefined;
      },
      'the switch to the spare',
      60_000,
    );
    const switchedAfterMs = Date.now() - offlineAt;

    expect(record).toMatchObject({ failedVmId: 'vm-001', spareVmId: 'vm-002' });
    expect((await competitionVm()).vmId).toBe('vm-002');
    expect(switchedAfterMs).toBeGreaterThanOrEqual(10_000);
    const invocations = host.invocations();
    expect(invocations.scheduledReconcile).toBeUndefined();
    expect(invocations.failoverRecheck).toBeGreaterThanOrEqual(1);
    // The producers are told: the switch's critical alert and the spare's live note.
    const alerts = await waitFor(
      async () => {
        const all = Object.values(
          ((await admin.db.ref(paths.alerts('meet-1')).get()).val() ?? {}) as Record<
            string,
            { sourceId: string }
          >,
        ).map((alert) => alert.sourceId);
        return all.includes('failover-vm-001') && all.includes('failover-live-vm-002')
          ? all
          : undefined;
      },
      'the failover alerts',
      20_000,
    );
    expect(alerts.length).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
