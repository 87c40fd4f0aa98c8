// The local functions host killed abruptly (the stack chaos suite's "functions host" fault):
// nothing of it acts afterwards, and a new host on the same database takes over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { memoryLogger } from '@vmpool/core/ports';
import type { RtdbServer } from '@vmpool/local/rtdb';
import { MemoryCompute } from '../../src/adapters/memory';
import { startLocalFunctionsHost, type LocalFunctionsHost } from '../../src/host';
import { addCompetition, request, seedVm, testAccess, writeConfig } from '../support/fixtures';
import { freshAdminDb, releaseRtdb, sharedRtdb, type AdminDb } from '../support/rtdb';
import { waitFor } from '../support/wait';

let rtdb: RtdbServer;
let admin: AdminDb;
const clock = { now: () => Date.now() };
const compute = new MemoryCompute({ clock });
const hosts: LocalFunctionsHost[] = [];
const start = async () => {
  const host = await startLocalFunctionsHost({
    databaseUrl: admin.databaseUrl,
    compute,
    clock,
    access: testAccess,
    logger: memoryLogger(),
    reconcileIntervalMs: 0,
  });
  hosts.push(host);
  return host;
};

beforeAll(async () => {
  rtdb = await sharedRtdb();
  admin = await freshAdminDb(rtdb);
  await writeConfig(admin.db, { minWarmVMs: 0, autoStopAfterHours: 0 });
  await addCompetition(admin.db, 'meet-1');
  await seedVm(admin.db, compute, 'vm-001', 'available', Date.now());
}, 60_000);

afterAll(async () => {
  for (const host of hosts) await host.stop();
  await admin.close();
  await releaseRtdb();
});

const resultOf = async (requestId: string) =>
  ((await admin.db.ref(`${paths.request(requestId)}/result`).get()).val() ?? null) as {
    state: string;
  } | null;

describe('a killed functions host', () => {
  it('handles nothing after kill(); a new host picks up the request it left', async () => {
    const first = await start();
    await first.kill();
    await expect(first.reconcileNow()).rejects.toThrow(/killed|deleted/i);
    await admin.db
      .ref(paths.request('after-kill'))
      .set(request('assign', { competitionId: 'meet-1', options: {} }));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await resultOf('after-kill')).toBeNull();

    const second = await start();
    await waitFor(
      async () => ((await resultOf('after-kill'))?.state === 'succeeded' ? true : undefined),
      'the new host finishes the request',
    );
    expect((await admin.db.ref(`${paths.vm('vm-001')}/assignedTo`).get()).val()).toBe('meet-1');
    await second.idle();
  });
});
