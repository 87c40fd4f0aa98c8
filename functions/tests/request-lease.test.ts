// Issue 11: the run lease of a request. A run renews its short lease while it works, so a run
// killed mid-request is driven again within two reconcile intervals (not after a fixed 90 s),
// a live run that works longer than the lease is never driven a second time, and a run that
// lost its lease to another run stops without writing over the other run's outcome.
import { describe, expect, it } from 'vitest';
import { requestLeaseTiming } from '@vmpool/core';
import { DEFAULT_CONTROL_PLANE_CONFIG } from '../src/config/control-plane-config';
import { internalPaths } from '../src/store/rtdb/internal-paths';
import type { Repeat, UseCaseDeps } from '../src/usecases/deps';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { handleRequest } from '../src/usecases/requests/handle-request';
import { runQueuedCommands } from './support/agent-commands';
import { crashingStore } from './support/crashing-store';
import { readResult, readVm, request, writeRequest } from './support/fixtures';
import { givenAssignedPool, givenPool, QUIET_POOL, type TestPool } from './support/pool';
import { useTestDatabase } from './support/rtdb';
import { wrapStoreCall } from './support/store-hooks';
import { waitFor } from './support/wait';

const env = useTestDatabase();

/** The local stack's reconcile interval (production's is a minute). */
const INTERVAL_MS = 10_000;
const SETTINGS = { ...DEFAULT_CONTROL_PLANE_CONFIG, reconcileIntervalMs: INTERVAL_MS };
const { leaseMs: LEASE_MS, renewEveryMs: RENEW_MS } = requestLeaseTiming(SETTINGS);

/** The renewal timers of the runs, ticked by the test as its manual clock moves. */
function manualRepeat() {
  const timers = new Set<() => Promise<void>>();
  const repeat: Repeat = (_ms, tick) => {
    timers.add(tick);
    return () => timers.delete(tick);
  };
  return {
    repeat,
    running: () => timers.size,
    tick: async () => {
      await Promise.all([...timers].map((tick) => tick()));
    },
  };
}

/** A promise the test resolves when it wants (a run held up in a slow call). */
function gate() {
  let open: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (open = resolve));
  return { closed, open };
}

/**
 * The pool's deps with the local interval, manual renewal timers, an admin check that holds the
 * first run up until `hold.open()` (any later run passes), and a count of the runs that began.
 */
function leaseDeps(pool: TestPool) {
  const timers = manualRepeat();
  const hold = gate();
  let adminChecks = 0;
  let begun = 0;
  const store = wrapStoreCall(pool.deps.store, 'beginRequest', async (beginRequest, ...args) => {
    const outcome = await beginRequest(...args);
    if (outcome === 'begun') begun += 1;
    return outcome;
  });
  const deps: UseCaseDeps = {
    ...pool.deps,
    store,
    settings: SETTINGS,
    repeat: timers.repeat,
    access: {
      ...pool.deps.access,
      isAdmin: async (uid) => {
        adminChecks += 1;
        if (adminChecks === 1) await hold.closed;
        return pool.deps.access.isAdmin(uid);
      },
    },
  };
  return { deps, timers, hold, adminChecks: () => adminChecks, begun: () => begun };
}

/**
 * A quiet pool with `vm-001` and a maintenance request `m1` whose run (`run`) is held at its
 * admin check (see leaseDeps) once it has begun and taken its lease.
 */
async function heldMaintenanceRun() {
  const pool = await givenPool(env.admin.db, {
    config: QUIET_POOL,
    vms: { 'vm-001': 'available' },
  });
  const lease = leaseDeps(pool);
  const payload = request('maintenance', { vmId: 'vm-001', options: { enabled: true } });
  await writeRequest(env.admin.db, 'm1', payload);
  const run = handleRequest(lease.deps, 'm1', payload);
  await waitFor(
    async () => (lease.adminChecks() === 1 ? true : undefined),
    'the run to reach its admin check',
  );
  return { pool, ...lease, run };
}

async function openEntry(requestId: string) {
  return (await env.admin.db.ref(internalPaths.openRequest(requestId)).get()).val() as {
    leaseUntil: number;
    runId: string;
  } | null;
}

describe('the run lease of a request (issue 11)', () => {
  it('a run killed mid-request is driven again within two reconcile intervals', async () => {
    const pool = await givenAssignedPool(env.admin.db);
    const { deps, hold } = leaseDeps(pool);
    hold.open();
    const payload = request('release', { competitionId: 'meet-1' });
    await writeRequest(env.admin.db, 'r1', payload);
    // The host dies in the release (its 4th store call, after the run began and was admitted).
    await handleRequest(
      { ...deps, store: crashingStore(deps.store, 4).store },
      'r1',
      payload,
    ).catch(() => undefined);
    expect((await readResult(env.admin.db, 'r1'))?.state).not.toBe('succeeded');
    // The dead run still holds the request: its lease was neither given back nor renewed.
    expect((await openEntry('r1'))?.leaseUntil).toBeGreaterThan(pool.clock.now());

    for (let round = 1; round <= 2; round += 1) {
      pool.clock.advance(INTERVAL_MS);
      await reconcile(deps);
      await runQueuedCommands(env.admin.db, deps, 'vm-001');
    }
    expect(await readResult(env.admin.db, 'r1')).toMatchObject({ state: 'succeeded' });
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });
  });

  it('a live run that works longer than the lease renews it and is never driven twice', async () => {
    const { pool, deps, timers, hold, adminChecks, begun, run: live } = await heldMaintenanceRun();

    // Ten reconcile intervals (100 s: longer than the old fixed 90 s lease and ten leases),
    // renewing as the run's timer would.
    for (let round = 1; round <= 10; round += 1) {
      for (let renewal = 0; renewal < INTERVAL_MS / RENEW_MS; renewal += 1) {
        pool.clock.advance(RENEW_MS);
        await timers.tick();
      }
      await reconcile(deps);
      expect((await openEntry('m1'))?.leaseUntil).toBeGreaterThan(pool.clock.now());
    }
    expect(begun()).toBe(1);
    expect(adminChecks()).toBe(1);

    hold.open();
    await live;
    expect(await readResult(env.admin.db, 'm1')).toMatchObject({ state: 'succeeded' });
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'maintenance' });
    expect(begun()).toBe(1);
    // Its timer stopped with it, and the request is no longer open.
    expect(timers.running()).toBe(0);
    expect(await openEntry('m1')).toBeNull();
  });

  it('a run whose lease ran out while it stalled loses the request to the next run and writes nothing after it', async () => {
    const { pool, deps, timers, hold, begun, run: stalled } = await heldMaintenanceRun();
    const firstRun = (await openEntry('m1'))?.runId;

    // No renewal gets through for longer than the lease (a stalled process): the next
    // reconcile takes the request and its run finishes it.
    pool.clock.advance(LEASE_MS + 1);
    await reconcile(deps);
    expect(begun()).toBe(2);
    const finished = await readResult(env.admin.db, 'm1');
    expect(finished).toMatchObject({ state: 'succeeded' });

    // The stalled run's next renewal finds the request taken; it goes on and stops at its
    // next result write, writing nothing.
    pool.clock.advance(RENEW_MS);
    await timers.tick();
    hold.open();
    await stalled;
    expect(await readResult(env.admin.db, 'm1')).toEqual(finished);
    expect(await openEntry('m1')).toBeNull();
    expect(firstRun).toBeDefined();
    expect(
      pool.deps.logger.lines.some(
        (line) => line.message === 'request run lost its lease; another run drives the request',
      ),
    ).toBe(true);
    expect(
      pool.deps.logger.lines.some(
        (line) => line.message === 'request run stopped: another run drives the request',
      ),
    ).toBe(true);
  });
});
