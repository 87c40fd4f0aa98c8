import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '@vmpool/core/ports';
import { paths } from '@vmpool/core';
import type { RtdbServer } from '@vmpool/local/rtdb';
import { MemoryCompute } from '../../src/adapters/memory';
import { startLocalFunctionsHost, type LocalFunctionsHost } from '../../src/host';
import { POOL_TAGS, REGION, testAccess, writeConfig } from '../support/fixtures';
import { freshAdminDb, releaseRtdb, sharedRtdb, type AdminDb } from '../support/rtdb';
import { waitFor } from '../support/wait';

let rtdb: RtdbServer;
let admin: AdminDb;
let host: LocalFunctionsHost;
const compute = new MemoryCompute({ clock: { now: () => Date.now() } });

beforeAll(async () => {
  rtdb = await sharedRtdb();
  admin = await freshAdminDb(rtdb);
  await writeConfig(admin.db, { minWarmVMs: 0, autoStopAfterHours: 0 });
  host = await startLocalFunctionsHost({
    databaseUrl: admin.databaseUrl,
    compute,
    access: testAccess,
    logger: memoryLogger(),
    reconcileIntervalMs: 100,
  });
});

afterAll(async () => {
  await host.stop();
  await admin.close();
  await releaseRtdb();
});

describe('the scheduled reconcile in the local host', () => {
  it('runs on its interval: a newly tagged instance is adopted without anyone asking', async () => {
    const instance = compute.seed({
      region: REGION,
      state: 'stopped',
      tags: { ...POOL_TAGS, VmId: 'vm-042' },
    });
    const vm = await waitFor(async () => {
      const value = (await admin.db.ref(paths.vm('vm-042')).get()).val() as {
        instanceId: string;
      } | null;
      return value ?? undefined;
    }, 'adoption by the scheduled reconcile');
    expect(vm.instanceId).toBe(instance.instanceId);
  });

  it('reconcileNow waits for a full pass', async () => {
    compute.seed({ region: REGION, state: 'stopped', tags: { ...POOL_TAGS, VmId: 'vm-043' } });
    await host.reconcileNow();
    expect((await admin.db.ref(paths.vm('vm-043')).get()).exists()).toBe(true);
  });
});
