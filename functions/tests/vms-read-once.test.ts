// Issue 17: reconcile reads vmPool/vms once per run; later steps see the changes made through it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtdbServer } from '@vmpool/local/rtdb';
import { MemoryCompute } from '../src/adapters/memory';
import { withVmsReadOnce } from '../src/usecases/reconcile/vms-read-once';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { seedVm, writeConfig } from './support/fixtures';
import { T0, testDeps } from './support/deps';
import { freshAdminDb, releaseRtdb, sharedRtdb, type AdminDb } from './support/rtdb';

let rtdb: RtdbServer;
let admin: AdminDb;

beforeAll(async () => {
  rtdb = await sharedRtdb();
  admin = await freshAdminDb(rtdb);
}, 60_000);

afterAll(async () => {
  await admin.close();
  await releaseRtdb();
});

describe('withVmsReadOnce', () => {
  it('reads once and answers later listVms with the changes made through it', async () => {
    const compute = new MemoryCompute({ clock: { now: () => T0 } });
    await writeConfig(admin.db, { minWarmVMs: 0, autoStopAfterHours: 0 });
    await seedVm(admin.db, compute, 'vm-001', 'available', T0);
    await seedVm(admin.db, compute, 'vm-002', 'available', T0);
    const base = testDeps(admin.db, { compute });
    let reads = 0;
    const counted = {
      ...base,
      store: {
        ...base.store,
        listVms: (options?: { pulse?: boolean }) => {
          reads += 1;
          return base.store.listVms(options);
        },
      },
    };
    const deps = withVmsReadOnce(counted);
    expect((await deps.store.listVms()).vms.map((vm) => vm.vmId)).toEqual(['vm-001', 'vm-002']);
    await deps.store.updateVm('vm-001', (vm) => ({ ...vm, statusReason: 'changed' }));
    await deps.store.deleteVm('vm-002', () => true);
    const again = await deps.store.listVms();
    expect(again.vms.map((vm) => [vm.vmId, vm.statusReason])).toEqual([['vm-001', 'changed']]);
    expect(reads).toBe(1);
  }, 60_000);

  it('makes one reconcile read vmPool/vms once', async () => {
    const compute = new MemoryCompute({ clock: { now: () => T0 } });
    const base = testDeps(admin.db, { compute });
    let reads = 0;
    await reconcile({
      ...base,
      store: {
        ...base.store,
        listVms: (options?: { pulse?: boolean }) => {
          reads += 1;
          return base.store.listVms(options);
        },
      },
    });
    expect(reads).toBe(1);
  }, 60_000);
});
