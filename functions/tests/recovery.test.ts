import { describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { runQueuedCommands } from './support/agent-commands';
import { agentReport, readResult, readVm, request, submit } from './support/fixtures';
import { agentReports, givenAssignedPool, givenPool } from './support/pool';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();

/** A quiet pool whose VMs may recover twice an hour, agents stale after a minute. */
const TWO_RECOVERIES_AN_HOUR = {
  minWarmVMs: 0,
  autoStopAfterHours: 0,
  agentStaleSeconds: 60,
  recoveryMaxAttempts: 2,
  recoveryWindowMinutes: 60,
};

async function commandIds(vmId: string): Promise<string[]> {
  const commands = ((await env.admin.db.ref(paths.vmCommands(vmId)).get()).val() ?? {}) as Record<
    string,
    unknown
  >;
  return Object.keys(commands).sort();
}

async function alerts() {
  const all = ((await env.admin.db.ref('alerts').get()).val() ?? {}) as Record<
    string,
    Record<string, { sourceId: string; level: string; resolved: boolean }>
  >;
  return Object.values(all).flatMap((scope) => Object.values(scope));
}

describe('self-healing', () => {
  it('re-runs an interrupted release cleanup under new ids and stops the VM as the release asked', async () => {
    const { clock, compute, deps, vm } = await givenAssignedPool(env.admin.db, {
      config: { minWarmVMs: 0, autoStopAfterHours: 0, agentStaleSeconds: 900 },
    });
    await submit(
      deps,
      env.admin.db,
      'r1',
      request('release', {
        competitionId: 'meet-1',
        options: { archiveRecordings: true, stopVM: true },
      }),
    );
    // The agent dies mid-cleanup every time: the archive never succeeds, nothing is cleared.
    const first = await runQueuedCommands(env.admin.db, deps, 'vm-001', () => 'failed');
    expect(first).toEqual(['archive_recordings', 'archive_recordings', 'archive_recordings']);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'error',
      errorCause: 'release_incomplete',
      recovery: { release: { competitionId: 'meet-1', archiveRecordings: true, stopVM: true } },
    });
    expect((await readResult(env.admin.db, 'r1'))?.state).toBe('succeeded');
    const before = await commandIds('vm-001');

    // The agent is back: reconcile re-runs the whole cleanup, archive first, under new ids.
    clock.advance(1000);
    await agentReports(deps, env.admin.db, 'vm-001', agentReport(clock.now()));
    await reconcile(deps);
    const again = await runQueuedCommands(env.admin.db, deps, 'vm-001');
    expect(again).toEqual(['archive_recordings', 'reset_obs_config', 'clear_recordings']);
    const fresh = (await commandIds('vm-001')).filter((id) => !before.includes(id));
    expect(fresh).toHaveLength(3);
    expect(fresh.every((id) => id.startsWith('recover-'))).toBe(true);
    const recovered = await readVm(env.admin.db, 'vm-001');
    expect(recovered).toMatchObject({ status: 'stopping' });
    expect(recovered?.errorCause).toBeUndefined();
    expect(compute.get(vm.instanceId)?.state).toBe('stopped');
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'stopped' });
  });

  it('finishes a release whose agent was offline once the agent is back, into the pool', async () => {
    const { clock, deps } = await givenAssignedPool(env.admin.db, {
      config: { minWarmVMs: 0, autoStopAfterHours: 0, agentStaleSeconds: 900 },
    });
    await env.admin.db.ref(paths.vmAgent('vm-001')).update({ online: false });
    await submit(deps, env.admin.db, 'r1', request('release', { competitionId: 'meet-1' }));
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'error',
      errorCause: 'release_incomplete',
    });
    clock.advance(1000);
    // The agent's report alone (no reconcile) starts the re-run; its commands finish it.
    await agentReports(deps, env.admin.db, 'vm-001', agentReport(clock.now()));
    expect(await runQueuedCommands(env.admin.db, deps, 'vm-001')).toEqual([
      'reset_obs_config',
      'clear_recordings',
    ]);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });
  });

  it('stops recovering a flapping VM, alerts that it needs an admin, and Recover re-arms it', async () => {
    const { clock, deps } = await givenPool(env.admin.db, {
      config: TWO_RECOVERIES_AN_HOUR,
      vms: { 'vm-001': 'available' },
    });
    const flap = async () => {
      clock.advance(3 * 60_000);
      await reconcile(deps);
      expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ errorCause: 'agent_stale' });
      await agentReports(deps, env.admin.db, 'vm-001', agentReport(clock.now()));
    };
    await flap();
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });
    await flap();
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });
    await flap();
    // Third failure inside the window: no third recovery.
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'error',
      errorCause: 'agent_stale',
    });
    await reconcile(deps);
    const stuck = await readVm(env.admin.db, 'vm-001');
    expect(stuck).toMatchObject({ status: 'error', recovery: { gaveUpAt: expect.any(Number) } });
    expect(await alerts()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          sourceId: 'vm-needs-admin-vm-001',
          level: 'critical',
          resolved: false,
        }),
      ]),
    );

    await submit(deps, env.admin.db, 'x1', request('recover', { vmId: 'vm-001' }));
    expect(await readResult(env.admin.db, 'x1')).toMatchObject({ state: 'succeeded' });
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });
    await reconcile(deps);
    const needsAdmin = (await alerts()).filter((a) => a.sourceId === 'vm-needs-admin-vm-001');
    expect(needsAdmin.every((a) => a.resolved)).toBe(true);
  });

  it('keeps recovering a VM whose recoveries each lasted (its agent served between faults)', async () => {
    const { clock, deps } = await givenPool(env.admin.db, {
      config: TWO_RECOVERIES_AN_HOUR,
      vms: { 'vm-001': 'available' },
    });
    for (let fault = 0; fault < 4; fault += 1) {
      // The agent serves for RECOVERY_LASTED_MS, reporting, then dies (a separate fault each time).
      for (let beat = 0; beat < 5; beat += 1) {
        clock.advance(30_000);
        await agentReports(deps, env.admin.db, 'vm-001', agentReport(clock.now()));
      }
      clock.advance(3 * 60_000);
      await reconcile(deps);
      expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ errorCause: 'agent_stale' });
      await agentReports(deps, env.admin.db, 'vm-001', agentReport(clock.now()));
      expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });
    }
  });

  it('keeps recovering VMs that fell silent together, outage after outage (the database or control plane was down)', async () => {
    const { clock, deps } = await givenPool(env.admin.db, {
      config: TWO_RECOVERIES_AN_HOUR,
      vms: { 'vm-001': 'available', 'vm-002': 'available', 'vm-003': 'available' },
    });
    const vmIds = ['vm-001', 'vm-002', 'vm-003'];
    for (let outage = 0; outage < 4; outage += 1) {
      // Every agent goes quiet at once, and all report again as soon as it is over.
      clock.advance(3 * 60_000);
      await reconcile(deps);
      for (const vmId of vmIds) {
        expect(await readVm(env.admin.db, vmId)).toMatchObject({ errorCause: 'agent_stale' });
      }
      for (const vmId of vmIds) {
        await agentReports(deps, env.admin.db, vmId, agentReport(clock.now()));
        expect(await readVm(env.admin.db, vmId)).toMatchObject({ status: 'available' });
      }
    }
  });

  it('reboots a VM whose start timed out because its agent never came up, and gives up after the budget', async () => {
    const { clock, compute, deps, seeded } = await givenPool(env.admin.db, {
      config: { ...TWO_RECOVERIES_AN_HOUR, warmupTimeSeconds: 60 },
      vms: { 'vm-001': 'stopped', 'vm-002': 'stopped' },
    });
    // Both start; neither agent ever reports: each start times out (retried once, then error).
    for (const vmId of ['vm-001', 'vm-002']) {
      await submit(deps, env.admin.db, `s-${vmId}`, request('start', { vmId }));
    }
    const timeOut = async () => {
      for (let deadline = 0; deadline < 2; deadline += 1) {
        clock.advance(3 * 60_000);
        await reconcile(deps);
      }
    };
    await timeOut();
    // The reconcile that failed them rebooted them (old code: error forever, nothing tried).
    for (const vmId of ['vm-001', 'vm-002']) {
      expect(await readVm(env.admin.db, vmId)).toMatchObject({
        status: 'starting',
        recovery: { attempts: [clock.now()] },
      });
    }
    expect(compute.calls.rebootInstance).toBe(2);
    expect(compute.get(seeded('vm-001').instanceId)?.state).toBe('running');

    // vm-002's agent comes up after the reboot: it joins the pool.
    await agentReports(deps, env.admin.db, 'vm-002', agentReport(clock.now()));
    expect(await readVm(env.admin.db, 'vm-002')).toMatchObject({ status: 'available' });

    // vm-001's never does: a second reboot, then the budget (2 an hour) is spent.
    await timeOut();
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'starting' });
    expect(compute.calls.rebootInstance).toBe(3);
    await timeOut();
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'error',
      errorCause: 'start_timeout',
      recovery: { gaveUpAt: expect.any(Number) },
    });
    expect(compute.calls.rebootInstance).toBe(3);
    expect(await alerts()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sourceId: 'vm-needs-admin-vm-001', resolved: false }),
      ]),
    );
  });

  it('does not reboot a never-started VM while most agents are silent together, nor count the start that outage cut short', async () => {
    const { clock, compute, deps } = await givenPool(env.admin.db, {
      config: { ...TWO_RECOVERIES_AN_HOUR, warmupTimeSeconds: 60 },
      vms: { 'vm-001': 'stopped', 'vm-002': 'available', 'vm-003': 'available' },
    });
    const othersReport = async () => {
      for (const vmId of ['vm-002', 'vm-003']) {
        await agentReports(deps, env.admin.db, vmId, agentReport(clock.now()));
        expect(await readVm(env.admin.db, vmId)).toMatchObject({ status: 'available' });
      }
    };
    const timeOut = async () => {
      for (let deadline = 0; deadline < 2; deadline += 1) {
        clock.advance(3 * 60_000);
        await reconcile(deps);
      }
    };
    await submit(deps, env.admin.db, 's1', request('start', { vmId: 'vm-001' }));
    // The database is down: no agent reports, vm-001's start times out among silent agents.
    await timeOut();
    expect(await readVm(env.admin.db, 'vm-002')).toMatchObject({ errorCause: 'agent_stale' });
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'error',
      errorCause: 'start_timeout',
      recovery: { nextAttemptAt: expect.any(Number) },
    });
    expect(compute.calls.rebootInstance).toBe(0);

    // The others are back; vm-001's agent still is not: the next reconcile reboots it.
    await othersReport();
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'starting',
      recovery: { attempts: [clock.now()] },
    });
    expect(compute.calls.rebootInstance).toBe(1);

    // Another shared outage cuts that start short: the reboot is not counted against vm-001.
    await timeOut();
    const cutShort = await readVm(env.admin.db, 'vm-001');
    expect(cutShort).toMatchObject({ status: 'error', errorCause: 'start_timeout' });
    expect((cutShort?.recovery as { attempts?: number[] } | undefined)?.attempts).toBeUndefined();
    expect(compute.calls.rebootInstance).toBe(1);
  });

  it('refuses Recover of a VM that is not in error, and of a missing instance', async () => {
    const { clock, compute, deps, seeded } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0, autoStopAfterHours: 0, agentStaleSeconds: 900 },
      vms: { 'vm-001': 'available', 'vm-002': 'available' },
    });
    await submit(deps, env.admin.db, 'x1', request('recover', { vmId: 'vm-001' }));
    expect((await readResult(env.admin.db, 'x1'))?.error?.code).toBe('INVALID_STATE');
    await env.admin.db.ref(paths.vm('vm-002')).update({ assignedTo: 'meet-9', status: 'assigned' });
    await compute.terminateInstance('us-east-1', seeded('vm-002').instanceId);
    clock.advance(1000);
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-002')).toMatchObject({ errorCause: 'instance_missing' });
    await submit(deps, env.admin.db, 'x2', request('recover', { vmId: 'vm-002' }));
    expect((await readResult(env.admin.db, 'x2'))?.error).toMatchObject({ code: 'INVALID_STATE' });
  });

  it('re-drives a stop that timed out from EC2 state', async () => {
    const { clock, compute, deps, seeded } = await givenPool(env.admin.db, {
      config: { minWarmVMs: 0, autoStopAfterHours: 0, agentStaleSeconds: 900 },
      vms: { 'vm-001': 'available' },
    });
    await env.admin.db.ref(paths.vm('vm-001')).update({
      status: 'error',
      errorCause: 'stop_timeout',
      statusReason: 'stopping did not finish before its deadline',
    });
    await reconcile(deps);
    expect(compute.get(seeded('vm-001').instanceId)?.state).toBe('stopped');
    clock.advance(1000);
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'stopped' });
  });
});
