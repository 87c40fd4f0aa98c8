// Issue 11, the recovery gaps the chaos suite found: starts whose EC2 call never landed, a cold
// assign whose VM failed before its hand-over, requests whose run died.
import { describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { FaultyCompute } from '../src/adapters/memory';
import type { PoolStore } from '../src/store/pool-store';
import { handleRequest } from '../src/usecases/requests/handle-request';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { internalPaths } from '../src/store/rtdb/internal-paths';
import { runQueuedCommands } from './support/agent-commands';
import { crashingStore, SimulatedCrash } from './support/crashing-store';
import { T0 } from './support/deps';
import { agentReport, readResult, readVm, request, writeRequest } from './support/fixtures';
import { poolProblems } from './support/invariants';
import { agentReports, givenAssignedPool, givenPool, QUIET_POOL } from './support/pool';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();
const MINUTE = 60_000;

/** A store that dies (every call rejects) once `kill()` was called: the host is gone. */
function killableStore(inner: PoolStore) {
  let dead = false;
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        dead
          ? Promise.reject(new SimulatedCrash(0))
          : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return { store, kill: () => (dead = true) };
}

async function competitionVm(competitionId: string): Promise<unknown> {
  return (await env.admin.db.ref(paths.competitionConfig(competitionId)).get()).val()?.vmId;
}

describe('self-healing: starts and cold assigns', () => {
  it('a cold assign whose host died before EC2 started the VM: reconcile starts it and the hand-over completes', async () => {
    const { clock, compute, deps, seeded } = await givenPool(env.admin.db, {
      config: QUIET_POOL,
      competitions: ['meet-1'],
      vms: { 'vm-001': 'stopped' },
    });
    const payload = request('assign', { competitionId: 'meet-1' });
    await writeRequest(env.admin.db, 'a1', payload);
    // The host dies as it calls StartInstances: the VM is claimed, EC2 never asked.
    const host = killableStore(deps.store);
    const dying = {
      ...deps,
      store: host.store,
      compute: {
        ...deps.compute,
        startInstance: () => {
          host.kill();
          return Promise.reject(new SimulatedCrash(0));
        },
      },
    };
    await handleRequest(dying, 'a1', payload).catch(() => undefined);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'starting',
      assignedTo: 'meet-1',
    });
    expect(compute.get(seeded('vm-001').instanceId)?.state).toBe('stopped');

    clock.advance(MINUTE);
    await reconcile(deps);
    // Not failed for EC2's "stopped": the start is asked again.
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'starting',
      assignedTo: 'meet-1',
    });
    expect(compute.get(seeded('vm-001').instanceId)?.state).toBe('running');
    await agentReports(deps, env.admin.db, 'vm-001', agentReport(clock.now()));
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'assigned' });
    expect(await readResult(env.admin.db, 'a1')).toMatchObject({ state: 'succeeded' });
    expect(await competitionVm('meet-1')).toBe('vm-001');
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });

  it('a start that EC2 refused again at reconcile is asked once more, not left to its deadline', async () => {
    const { clock, compute, deps, seeded } = await givenPool(env.admin.db, {
      config: QUIET_POOL,
      vms: { 'vm-001': 'stopped' },
      compute: (memory) => new FaultyCompute(memory).fail('startInstance', 'THROTTLED', 1),
    });
    // An admin's start whose host died between the status change and StartInstances.
    await env.admin.db.ref(paths.vm('vm-001')).update({
      status: 'starting',
      statusReason: 'started by an admin',
      lastStartedAt: clock.now(),
      deadline: clock.now() + 10 * MINUTE,
    });
    clock.advance(MINUTE);
    await reconcile(deps); // throttled
    expect(compute.get(seeded('vm-001').instanceId)?.state).toBe('stopped');
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'starting' });
    clock.advance(MINUTE);
    await reconcile(deps);
    expect(compute.get(seeded('vm-001').instanceId)?.state).toBe('running');
    await agentReports(deps, env.admin.db, 'vm-001', agentReport(clock.now()));
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });
  });

  it('a cold assign whose instance went away before the hand-over fails with a code and frees the competition', async () => {
    const { clock, compute, deps, seeded } = await givenPool(env.admin.db, {
      config: QUIET_POOL,
      competitions: ['meet-1'],
      vms: { 'vm-001': 'stopped' },
    });
    const payload = request('assign', { competitionId: 'meet-1' });
    await writeRequest(env.admin.db, 'a1', payload);
    await handleRequest(deps, 'a1', payload);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'starting' });
    // The instance is terminated outside vmpool while it starts.
    await compute.terminateInstance('us-east-1', seeded('vm-001').instanceId);
    for (let round = 0; round < 3; round += 1) {
      clock.advance(MINUTE);
      await reconcile(deps);
    }
    const result = await readResult(env.admin.db, 'a1');
    expect(result).toMatchObject({ state: 'failed', error: { code: 'EC2_ERROR' } });
    expect(await competitionVm('meet-1')).toBeUndefined();
    expect((await env.admin.db.ref(internalPaths.assignment('meet-1')).get()).exists()).toBe(false);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'error' });
    expect((await readVm(env.admin.db, 'vm-001'))?.assignedTo).toBeUndefined();
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });
});

describe('self-healing: requests whose run died', () => {
  it('a request whose handler died holding it is driven again once its lease ran out, not minutes later', async () => {
    const { clock, deps } = await givenAssignedPool(env.admin.db);
    const payload = request('release', { competitionId: 'meet-1' });
    await writeRequest(env.admin.db, 'r1', payload);
    // The host dies early in the release (after it began the request).
    const crashing = crashingStore(deps.store, 3);
    await handleRequest({ ...deps, store: crashing.store }, 'r1', payload).catch(() => undefined);
    expect((await readResult(env.admin.db, 'r1'))?.state).not.toBe('succeeded');

    // Past the run's lease (90 s), before the redrive of waiting requests (2 min).
    clock.advance(deps.settings.requestLeaseMs + 1000);
    expect(clock.now() - T0).toBeLessThan(deps.settings.requestRedriveAfterMs);
    await reconcile(deps);
    await runQueuedCommands(env.admin.db, deps, 'vm-001');
    expect(await readResult(env.admin.db, 'r1')).toMatchObject({ state: 'succeeded' });
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });
  });
});

describe('self-healing: when the next try is', () => {
  it('a failed VM waiting for its cause records its next try one reconcile ahead, cleared once it recovers', async () => {
    const { clock, deps } = await givenPool(env.admin.db, {
      config: { ...QUIET_POOL, agentStaleSeconds: 60 },
      vms: { 'vm-001': 'available' },
    });
    clock.advance(3 * MINUTE);
    await reconcile(deps);
    const failed = await readVm(env.admin.db, 'vm-001');
    expect(failed).toMatchObject({
      status: 'error',
      errorCause: 'agent_stale',
      recovery: { nextAttemptAt: clock.now() + deps.settings.reconcileIntervalMs },
    });
    clock.advance(MINUTE);
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      recovery: { nextAttemptAt: clock.now() + deps.settings.reconcileIntervalMs },
    });
    await agentReports(deps, env.admin.db, 'vm-001', agentReport(clock.now()));
    const recovered = await readVm(env.admin.db, 'vm-001');
    expect(recovered).toMatchObject({ status: 'available' });
    expect((recovered?.recovery as { nextAttemptAt?: unknown } | undefined)?.nextAttemptAt).toBe(
      undefined,
    );
  });
});

describe('self-healing: health_failed', () => {
  const showServerDown = (now: number) =>
    agentReport(now, {
      services: {
        showServer: { state: 'down', checkedAt: now, port: 3003, detail: 'connection refused' },
      },
    });

  it('a free VM whose show server stays down leaves the pool (health_failed) and recovers once healthy', async () => {
    const { clock, deps } = await givenPool(env.admin.db, {
      config: { ...QUIET_POOL, agentStaleSeconds: 60 },
      competitions: ['meet-1'],
      vms: { 'vm-001': 'available' },
    });
    clock.advance(1000);
    await agentReports(deps, env.admin.db, 'vm-001', showServerDown(clock.now()), agentReport(T0));
    const since = clock.now();
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'available',
      unhealthySince: since,
    });
    // Still within the grace: in the pool. Past it (heartbeats fresh): out.
    clock.advance(30_000);
    await env.admin.db.ref(paths.vmAgent('vm-001')).update({ lastSeen: clock.now() });
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });
    clock.advance(31_000);
    await env.admin.db.ref(paths.vmAgent('vm-001')).update({ lastSeen: clock.now() });
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'error',
      errorCause: 'health_failed',
      recovery: { nextAttemptAt: clock.now() + deps.settings.reconcileIntervalMs },
    });
    // Nobody is handed the broken VM.
    await writeRequest(env.admin.db, 'a1', request('assign', { competitionId: 'meet-1' }));
    await handleRequest(deps, 'a1', request('assign', { competitionId: 'meet-1' }));
    expect((await readResult(env.admin.db, 'a1'))?.state).toBe('failed');

    // The show server is back: the agent's report recovers it, counted as an attempt.
    clock.advance(5000);
    await agentReports(deps, env.admin.db, 'vm-001', agentReport(clock.now()), showServerDown(T0));
    const recovered = await readVm(env.admin.db, 'vm-001');
    expect(recovered).toMatchObject({ status: 'available', recovery: { attempts: [clock.now()] } });
    expect(recovered?.unhealthySince).toBeUndefined();
    expect(recovered?.errorCause).toBeUndefined();
  });

  it('a VM holding a show is not taken away for its health (alerted only)', async () => {
    const { clock, deps } = await givenAssignedPool(env.admin.db, {
      config: { ...QUIET_POOL, agentStaleSeconds: 60 },
    });
    clock.advance(1000);
    await agentReports(deps, env.admin.db, 'vm-001', showServerDown(clock.now()), agentReport(T0));
    clock.advance(5 * MINUTE);
    await env.admin.db.ref(paths.vmAgent('vm-001')).update({ lastSeen: clock.now() });
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'assigned',
      assignedTo: 'meet-1',
    });
    expect(await competitionVm('meet-1')).toBe('vm-001');
    const alerts = Object.values(
      ((await env.admin.db.ref(paths.alerts('meet-1')).get()).val() ?? {}) as Record<
        string,
        { vmId?: string; resolved: boolean; level: string }
      >,
    );
    expect(alerts.some((alert) => alert.vmId === 'vm-001' && !alert.resolved)).toBe(true);
  });
});
