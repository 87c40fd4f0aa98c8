import { describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { advanceRelease } from '../src/usecases/release/advance-release';
import type { UseCaseDeps } from '../src/usecases/deps';
import { runQueuedCommands } from './support/agent-commands';
import {
  addCompetition,
  agentReport,
  readResult,
  readVm,
  request,
  submit,
} from './support/fixtures';
import { poolProblems } from './support/invariants';
import { agentReports, givenAssignedPool, givenPool, LAUNCHABLE, QUIET_POOL } from './support/pool';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { useTestDatabase } from './support/rtdb';
import { beforeStoreCall, lateAt, type StoreMethod } from './support/store-hooks';

const env = useTestDatabase();

const assignedPool = () =>
  givenAssignedPool(env.admin.db, {
    config: { minWarmVMs: 0, autoStopAfterHours: 0 },
    producer: 'producer-1',
  });

async function link(competitionId: string) {
  const config = (await env.admin.db.ref(paths.competitionConfig(competitionId)).get()).val() as {
    vmId?: string;
    vmAddress?: string;
  } | null;
  return { vmId: config?.vmId, vmAddress: config?.vmAddress };
}

/**
 * meet-1's release (`r1`, by producer-1), whose cleanup commands run with a store late at
 * `step`: resolves once that run got there; `finish()` lets it go on and waits for it.
 */
async function releaseLateAt(deps: UseCaseDeps, step: StoreMethod) {
  await submit(
    deps,
    env.admin.db,
    'r1',
    request('release', { competitionId: 'meet-1' }, 'producer-1'),
  );
  const late = lateAt(deps, step);
  const run = runQueuedCommands(env.admin.db, late.deps, 'vm-001');
  await late.reached;
  return {
    finish: async () => {
      late.open();
      await run;
    },
  };
}

describe('the competition link (clearCompetitionVm)', () => {
  it('a late release does not unlink the competition that a new assign linked to the same VM again', async () => {
    const { deps, vm } = await assignedPool();
    const before = await link('meet-1');
    expect(before.vmId).toBe('vm-001');
    // Run A' (the command status trigger) finishes the release up to the unlink, then stalls.
    const late = await releaseLateAt(deps, 'clearCompetitionVm');
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });

    // Run A (reconcile, or a second delivery) finishes the same release: unlink, slot freed.
    expect(await advanceRelease(deps, 'meet-1')).toBe(true);
    expect(await readResult(env.admin.db, 'r1')).toMatchObject({ state: 'succeeded' });
    expect(await link('meet-1')).toEqual({ vmId: undefined, vmAddress: undefined });

    // The producer assigns meet-1 again and gets the same (only) VM back.
    await submit(
      deps,
      env.admin.db,
      'a2',
      request('assign', { competitionId: 'meet-1' }, 'producer-1'),
    );
    expect(await readResult(env.admin.db, 'a2')).toMatchObject({
      state: 'succeeded',
      vmId: vm.vmId,
    });
    const relinked = await link('meet-1');
    expect(relinked.vmId).toBe('vm-001');

    // Now the late run goes on: its unlink belongs to the release that is over.
    await late.finish();
    expect(await link('meet-1')).toEqual(relinked);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'assigned',
      assignedTo: 'meet-1',
      requestId: 'a2',
    });
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });

  it('unlinks when the VM no longer holds the competition, and only a link to that VM', async () => {
    const { deps } = await assignedPool();
    const store = deps.store;
    // The VM holds meet-1: the link is that assignment's and stays.
    await store.clearCompetitionVm('meet-1', 'vm-001');
    expect((await link('meet-1')).vmId).toBe('vm-001');
    // A link to another VM is never this caller's.
    await env.admin.db.ref(paths.vm('vm-001')).update({ assignedTo: null, status: 'available' });
    await store.clearCompetitionVm('meet-1', 'vm-009');
    expect((await link('meet-1')).vmId).toBe('vm-001');
    // The VM was freed: the link goes, the competition's own fields stay.
    await store.clearCompetitionVm('meet-1', 'vm-001');
    const config = (await env.admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
    expect(config).toEqual({ eventName: 'Meet meet-1' });
  });

  it('unlinks when the VM holds another competition, went stopped, or is gone', async () => {
    const { deps } = await assignedPool();
    const relink = () =>
      env.admin.db
        .ref(paths.competitionConfig('meet-1'))
        .update({ vmId: 'vm-001', vmAddress: '203.0.113.1:3003' });
    await env.admin.db.ref(paths.vm('vm-001')).update({ assignedTo: 'meet-2' });
    await deps.store.clearCompetitionVm('meet-1', 'vm-001');
    expect((await link('meet-1')).vmId).toBeUndefined();

    await relink();
    // A stale assignedTo on a stopped VM holds nothing.
    await env.admin.db.ref(paths.vm('vm-001')).update({ assignedTo: 'meet-1', status: 'stopped' });
    await deps.store.clearCompetitionVm('meet-1', 'vm-001');
    expect((await link('meet-1')).vmId).toBeUndefined();

    await relink();
    await env.admin.db.ref(paths.vm('vm-001')).remove();
    await deps.store.clearCompetitionVm('meet-1', 'vm-001');
    expect((await link('meet-1')).vmId).toBeUndefined();
  });

  it('a start deadline reconcile saw pass does not unlink a VM handed over since', async () => {
    const { clock, deps } = await givenPool(env.admin.db, {
      config: { ...QUIET_POOL, ...LAUNCHABLE },
      competitions: ['meet-1'],
      vms: { 'vm-001': 'stopped' },
    });
    await submit(deps, env.admin.db, 'a1', request('assign', { competitionId: 'meet-1' }));
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'starting' });
    // Its start was already repeated once: past the deadline it fails.
    await env.admin.db.ref(paths.vm('vm-001')).update({ deadlineRetries: 1 });
    const starting = await deps.store.getVm('vm-001');
    clock.advance((starting?.deadline ?? 0) - clock.now() + 1);

    // Reconcile read the VM starting past its deadline; the agent's ready report lands just
    // before reconcile's guarded change (which then finds the VM moved on and changes nothing).
    let handedOver = false;
    const store = beforeStoreCall(deps.store, 'updateVm', async (vmId, change) => {
      const current = await deps.store.getVm(vmId);
      if (!handedOver && current !== null && change(current)?.errorCause === 'start_timeout') {
        handedOver = true;
        await agentReports(
          deps,
          env.admin.db,
          vmId,
          agentReport(clock.now(), { publicIp: '203.0.113.7' }),
        );
      }
    });
    const lockBefore = await deps.store.getLock('meet-1');
    await reconcile({ ...deps, store });
    expect(handedOver).toBe(true);
    // The assign's slot is untouched: not deleted (and re-created by repair) under the VM.
    expect(await deps.store.getLock('meet-1')).toEqual(lockBefore);
    expect(await readResult(env.admin.db, 'a1')).toMatchObject({ state: 'succeeded' });
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'assigned',
      assignedTo: 'meet-1',
    });
    expect((await link('meet-1')).vmId).toBe('vm-001');
  });

  it('a late release does not clear the preview and watchers of the VM re-assigned to another competition', async () => {
    const { clock, deps } = await assignedPool();
    await addCompetition(env.admin.db, 'meet-2', 'producer-2');
    // Run A' finishes the release up to clearing meet-1's preview, then stalls.
    const late = await releaseLateAt(deps, 'clearPreview');
    // Run A finishes the same release; meet-2 gets the VM, its producer watches its program.
    expect(await advanceRelease(deps, 'meet-1')).toBe(true);
    await submit(
      deps,
      env.admin.db,
      'a2',
      request('assign', { competitionId: 'meet-2' }, 'producer-2'),
    );
    expect(await readResult(env.admin.db, 'a2')).toMatchObject({ state: 'succeeded' });
    const preview = {
      image: 'data:image/jpeg;base64,/9j/',
      width: 320,
      height: 180,
      bytes: 4,
      capturedAt: clock.now(),
      scene: 'Floor',
    };
    await env.admin.db.ref(paths.preview('vm-001')).set(preview);
    await env.admin.db.ref(paths.vmWatcher('vm-001', 'producer-2')).set(clock.now());

    // The late run goes on: the preview and watchers are meet-2's now and stay.
    await late.finish();
    expect((await env.admin.db.ref(paths.preview('vm-001')).get()).val()).toEqual(preview);
    expect((await env.admin.db.ref(paths.vmWatchers('vm-001')).get()).val()).toEqual({
      'producer-2': clock.now(),
    });
    expect((await link('meet-2')).vmId).toBe('vm-001');
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'assigned',
      assignedTo: 'meet-2',
    });
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });
});
