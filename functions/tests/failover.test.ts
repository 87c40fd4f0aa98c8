import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  failoverRequestId,
  paths,
  type FailoverRecord,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import { handleRequest } from '../src/usecases/requests/handle-request';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { switchShow } from '../src/usecases/failover/switch-show';
import type { UseCaseDeps } from '../src/usecases/deps';
import { crashingStore } from './support/crashing-store';
import { agentReport, readResult, readVm, request, seedVm, submit } from './support/fixtures';
import { poolProblems } from './support/invariants';
import { agentReports, givenPool, LAUNCHABLE, QUIET_POOL } from './support/pool';
import { useTestDatabase } from './support/rtdb';
import type { tableShowProbe } from './support/show-probe';

const env = useTestDatabase();

type Probe = ReturnType<typeof tableShowProbe>;
type StoredAlert = {
  sourceId: string;
  level: string;
  title: string;
  message: string;
  resolved: boolean;
  vmId?: string;
};

async function alerts(scope: string): Promise<StoredAlert[]> {
  return Object.values(
    ((await env.admin.db.ref(paths.alerts(scope)).get()).val() ?? {}) as Record<
      string,
      StoredAlert
    >,
  );
}

async function failoverRecord(competitionId: string): Promise<FailoverRecord | null> {
  return (await env.admin.db.ref(paths.failover(competitionId)).get()).val() as FailoverRecord;
}

async function competitionConfig(competitionId: string) {
  return (await env.admin.db.ref(paths.competitionConfig(competitionId)).get()).val() as {
    vmId?: string;
    vmAddress?: string;
  };
}

async function auditActions(): Promise<string[]> {
  const all = ((await env.admin.db.ref(paths.audit()).get()).val() ?? {}) as Record<
    string,
    { action: string }
  >;
  return Object.values(all)
    .map((entry) => entry.action)
    .filter((action) => action.startsWith('failover.'))
    .sort();
}

/** meet-1 on vm-001 (assigned by request a1), with the given spares. */
async function givenLiveShow(
  config: Partial<PoolConfig>,
  spares: Record<string, 'available' | 'stopped'> = { 'vm-002': 'available' },
) {
  const pool = await givenPool(env.admin.db, {
    config: { ...QUIET_POOL, failoverMode: 'auto', failoverAfterSeconds: 30, ...config },
    competitions: ['meet-1', 'meet-2', 'meet-3'],
    vms: { 'vm-001': 'available' },
  });
  await submit(pool.deps, env.admin.db, 'a1', request('assign', { competitionId: 'meet-1' }));
  expect((await readResult(env.admin.db, 'a1'))?.state).toBe('succeeded');
  const seeded: Record<string, VmRecord> = {};
  for (const [vmId, status] of Object.entries(spares)) {
    seeded[vmId] = await seedVm(env.admin.db, pool.compute, vmId, status, pool.clock.now());
  }
  const address = (await competitionConfig('meet-1')).vmAddress as string;
  return { ...pool, probe: pool.deps.showProbe as Probe, address, spares: seeded };
}

/** vm-001 dies: its agent goes offline (presence) and its show server stops answering. */
async function crash(probe: Probe, address: string): Promise<void> {
  await env.admin.db.ref(`${paths.vmAgent('vm-001')}/online`).set(false);
  probe.down(address);
}

describe('failover detection', () => {
  it('switches a show whose VM failed for failoverAfterSeconds to a warm spare', async () => {
    const { deps, clock, probe, address, spares } = await givenLiveShow({});
    await crash(probe, address);

    await reconcile(deps);
    expect(await failoverRecord('meet-1')).toMatchObject({
      state: 'watching',
      failedVmId: 'vm-001',
      reason: 'agent offline and the show server does not answer',
    });
    expect((await competitionConfig('meet-1')).vmId).toBe('vm-001');

    clock.advance(29_000);
    await reconcile(deps);
    expect((await failoverRecord('meet-1'))?.state).toBe('watching');

    clock.advance(1_000);
    await reconcile(deps);
    const spareAddress = `${spares['vm-002']!.publicIp}:3003`;
    expect(await competitionConfig('meet-1')).toMatchObject({
      vmId: 'vm-002',
      vmAddress: spareAddress,
    });
    expect(await readVm(env.admin.db, 'vm-002')).toMatchObject({
      status: 'assigned',
      assignedTo: 'meet-1',
    });
    const failed = await readVm(env.admin.db, 'vm-001');
    expect(failed).toMatchObject({ status: 'error', errorCause: 'failed_over' });
    expect(failed?.assignedTo).toBeUndefined();
    expect(await failoverRecord('meet-1')).toMatchObject({
      state: 'switched',
      spareVmId: 'vm-002',
      spareAddress,
      requestId: failoverRequestId('vm-001', (await failoverRecord('meet-1'))!.since),
    });

    const meetAlerts = await alerts('meet-1');
    const critical = meetAlerts.find((alert) => alert.sourceId === 'failover-vm-001');
    expect(critical).toMatchObject({
      level: 'critical',
      title: 'vm-001 failed: show moved to vm-002',
      resolved: false,
    });
    expect(critical?.message).toContain(`now runs on vm-002 at ${spareAddress}`);
    expect(critical?.message).toContain('Nothing was restored');
    expect(meetAlerts.find((alert) => alert.sourceId === 'failover-live-vm-002')).toMatchObject({
      level: 'info',
      title: 'vm-002 is live for meet-1',
    });
    expect(await auditActions()).toEqual([
      'failover.detected',
      'failover.failed_vm',
      'failover.live',
      'failover.slot',
      'failover.switched',
      'failover.take_out',
    ]);
    expect(await poolProblems(env.admin.db)).toEqual([]);

    // Later reconciles change nothing: the failed VM is out of the show, the record is final.
    clock.advance(60_000);
    await reconcile(deps);
    expect((await competitionConfig('meet-1')).vmId).toBe('vm-002');
    // The competition's alerts about vm-001's health went with it: only the failover's remains.
    expect(
      (await alerts('meet-1'))
        .filter((alert) => alert.level === 'critical' && !alert.resolved)
        .map((alert) => alert.sourceId),
    ).toEqual(['failover-vm-001']);
  });

  it('starts the failure clock when the agent goes offline, before any reconcile', async () => {
    const { deps, clock, probe, address } = await givenLiveShow({});
    probe.down(address);
    const before = agentReport(clock.now());
    clock.advance(2_000);
    await agentReports(deps, env.admin.db, 'vm-001', { ...before, online: false }, before);
    expect(await failoverRecord('meet-1')).toMatchObject({
      state: 'watching',
      since: clock.now(),
      reason: 'agent offline and the show server does not answer',
    });
    clock.advance(30_000);
    await reconcile(deps);
    expect((await competitionConfig('meet-1')).vmId).toBe('vm-002');
  });

  it('only alerts when the agent is gone but the show server still answers (degraded)', async () => {
    const { deps, clock } = await givenLiveShow({});
    await env.admin.db.ref(`${paths.vmAgent('vm-001')}/online`).set(false);
    await reconcile(deps);
    clock.advance(120_000);
    await reconcile(deps);
    expect((await competitionConfig('meet-1')).vmId).toBe('vm-001');
    expect(await failoverRecord('meet-1')).toBeNull();
    expect(
      (await alerts('meet-1')).find((alert) => alert.sourceId === 'vm-degraded-vm-001'),
    ).toMatchObject({ level: 'warning', resolved: false });
  });

  it('forgets a failure that clears before failoverAfterSeconds', async () => {
    const { deps, clock, probe, address } = await givenLiveShow({});
    await crash(probe, address);
    await reconcile(deps);
    expect((await failoverRecord('meet-1'))?.state).toBe('watching');
    clock.advance(10_000);
    probe.up(address);
    await agentReports(deps, env.admin.db, 'vm-001', agentReport(clock.now()));
    await reconcile(deps);
    expect(await failoverRecord('meet-1')).toBeNull();
    clock.advance(60_000);
    await reconcile(deps);
    expect((await competitionConfig('meet-1')).vmId).toBe('vm-001');
    expect(await auditActions()).toEqual(['failover.cleared', 'failover.detected']);
  });

  it('switches when EC2 reports the instance stopped, whatever the agent says', async () => {
    const { deps, clock, compute } = await givenLiveShow({ failoverAfterSeconds: 10 });
    const failed = (await readVm(env.admin.db, 'vm-001')) as { instanceId: string };
    // Stopped outside vmpool (e.g. a host failure): EC2 reports it stopping, then stopped.
    await compute.stopInstance('us-east-1', failed.instanceId);
    await reconcile(deps);
    clock.advance(10_000);
    await reconcile(deps);
    expect((await competitionConfig('meet-1')).vmId).toBe('vm-002');
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });
});

describe('failover modes', () => {
  it('confirm: offers the switch in a critical alert and switches nothing by itself', async () => {
    const { deps, clock, probe, address } = await givenLiveShow({ failoverMode: 'confirm' });
    await crash(probe, address);
    await reconcile(deps);
    clock.advance(30_000);
    await reconcile(deps);
    clock.advance(60_000);
    await reconcile(deps);
    expect((await failoverRecord('meet-1'))?.state).toBe('offered');
    expect((await competitionConfig('meet-1')).vmId).toBe('vm-001');
    expect(
      (await alerts('meet-1')).find((alert) => alert.sourceId === 'failover-vm-001'),
    ).toMatchObject({ level: 'critical', title: 'vm-001 failed: switch to vm-002?' });
  });

  it('confirm: "Switch to vm-002" by the producer moves the show; a second click is refused', async () => {
    const { deps, clock, probe, address } = await givenLiveShow({ failoverMode: 'confirm' });
    await env.admin.db.ref(paths.producerAccessFor('u-prod', 'meet-1')).set(true);
    await crash(probe, address);
    await reconcile(deps);
    clock.advance(30_000);
    await reconcile(deps);
    expect(await failoverRecord('meet-1')).toMatchObject({
      state: 'offered',
      offeredVmId: 'vm-002',
    });
    const click = request('failover', { competitionId: 'meet-1', failedVmId: 'vm-001' }, 'u-prod');
    await submit(deps, env.admin.db, 's1', click);
    expect(await readResult(env.admin.db, 's1')).toMatchObject({ state: 'succeeded' });
    expect((await competitionConfig('meet-1')).vmId).toBe('vm-002');
    expect(await failoverRecord('meet-1')).toMatchObject({
      state: 'switched',
      switchedBy: 'u-prod',
    });
    await submit(deps, env.admin.db, 's2', click);
    expect(await readResult(env.admin.db, 's2')).toMatchObject({
      state: 'failed',
      error: { code: 'INVALID_STATE' },
    });
    // Someone else's producer may not switch this show.
    await submit(
      deps,
      env.admin.db,
      's3',
      request('failover', { competitionId: 'meet-1', failedVmId: 'vm-002' }, 'u-other'),
    );
    expect((await readResult(env.admin.db, 's3'))?.error?.code).toBe('FORBIDDEN');
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });

  it('off: alert only', async () => {
    const { deps, clock, probe, address } = await givenLiveShow({ failoverMode: 'off' });
    await crash(probe, address);
    await reconcile(deps);
    clock.advance(30_000);
    await reconcile(deps);
    expect((await failoverRecord('meet-1'))?.state).toBe('alerted');
    expect((await competitionConfig('meet-1')).vmId).toBe('vm-001');
    expect(
      (await alerts('meet-1')).find((alert) => alert.sourceId === 'failover-vm-001'),
    ).toMatchObject({ level: 'critical', title: 'vm-001 failed during the show' });
  });
});

describe('failover without a warm spare', () => {
  it('starts a stopped VM with progress, says manual help may be needed, and hands it over when ready', async () => {
    const { deps, clock, probe, address } = await givenLiveShow(
      { warmupTimeSeconds: 120 },
      { 'vm-002': 'stopped' },
    );
    await crash(probe, address);
    await reconcile(deps);
    clock.advance(30_000);
    await reconcile(deps);

    const record = await failoverRecord('meet-1');
    expect(record).toMatchObject({ state: 'switching', spareVmId: 'vm-002' });
    const progress = await readResult(env.admin.db, record!.requestId!);
    expect(progress).toMatchObject({ state: 'running', step: 'Wait for agent', vmId: 'vm-002' });
    const starting = (await alerts('meet-1')).find((a) => a.sourceId === 'failover-vm-001');
    expect(starting?.title).toBe('vm-001 failed: starting vm-002');
    expect(starting?.message).toContain('manual intervention may be needed');
    // The competition no longer points at the dead VM while the spare starts.
    expect((await competitionConfig('meet-1')).vmId).toBeUndefined();
    expect(await poolProblems(env.admin.db)).toEqual([]);

    clock.advance(40_000);
    await agentReports(deps, env.admin.db, 'vm-002', agentReport(clock.now()));
    expect((await competitionConfig('meet-1')).vmId).toBe('vm-002');
    await reconcile(deps);
    expect((await failoverRecord('meet-1'))?.state).toBe('switched');
    const final = (await alerts('meet-1')).filter((a) => a.sourceId === 'failover-vm-001');
    expect(final.filter((alert) => !alert.resolved).map((alert) => alert.title)).toEqual([
      'vm-001 failed: show moved to vm-002',
    ]);
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });

  it('when no VM can be had: abandons with a critical "manual intervention" alert', async () => {
    const { deps, clock, probe, address } = await givenLiveShow(
      { maxTotalVMs: 1, maxConcurrent: 1 },
      {},
    );
    await crash(probe, address);
    await reconcile(deps);
    clock.advance(30_000);
    await reconcile(deps);
    expect(await failoverRecord('meet-1')).toMatchObject({ state: 'abandoned' });
    const alert = (await alerts('meet-1')).find(
      (a) => a.sourceId === 'failover-vm-001' && !a.resolved,
    );
    expect(alert?.title).toBe('vm-001 failed: no spare VM');
    expect(alert?.message).toContain('Manual intervention may be needed');
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });

  it('launches a new VM when nothing is free and the pool may grow', async () => {
    const { deps, clock, probe, address } = await givenLiveShow(LAUNCHABLE, {});
    await crash(probe, address);
    await reconcile(deps);
    clock.advance(30_000);
    await reconcile(deps);
    const record = await failoverRecord('meet-1');
    expect(record?.state).toBe('switching');
    expect(await readVm(env.admin.db, record!.spareVmId!)).toMatchObject({
      status: 'starting',
      assignedTo: 'meet-1',
    });
  });
});

/** Makes vm-001's failure old enough and the record ready for a switch, without reconcile. */
async function readyToSwitch(deps: UseCaseDeps, clock: { advance(ms: number): void }) {
  await reconcile(deps);
  clock.advance(30_000);
}

describe('the switch under duplicate and concurrent triggers', () => {
  it('two switches at once give the show one spare', async () => {
    const { deps, clock, probe, address } = await givenLiveShow(
      { failoverMode: 'confirm' },
      { 'vm-002': 'available', 'vm-003': 'available' },
    );
    await crash(probe, address);
    await readyToSwitch(deps, clock);
    const config = { ...(await deps.store.readConfig()) } as { ok: true; value: PoolConfig };
    const input = { competitionId: 'meet-1', failedVmId: 'vm-001', config: config.value };
    const outcomes = await Promise.all([
      switchShow(deps, { ...input, by: 'failover' }),
      switchShow(deps, { ...input, by: 'failover' }),
      switchShow(deps, { ...input, by: 'failover' }),
    ]);
    expect(outcomes.some((outcome) => outcome.kind === 'switched')).toBe(true);
    const held = ['vm-002', 'vm-003'];
    const holders = [];
    for (const vmId of held) {
      if ((await readVm(env.admin.db, vmId))?.assignedTo === 'meet-1') holders.push(vmId);
    }
    expect(holders).toHaveLength(1);
    expect((await competitionConfig('meet-1')).vmId).toBe(holders[0]);
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });

  it(
    'a crash at any step of the switch is resumed by the next reconcile',
    {
      timeout: 600_000,
    },
    async () => {
      let crashAt = 1;
      for (;;) {
        await env.admin.db.ref().set(null);
        const { deps, clock, probe, address } = await givenLiveShow({});
        await crash(probe, address);
        await reconcile(deps);
        clock.advance(30_000);
        const crashing = crashingStore(deps.store, crashAt);
        const parsed = await deps.store.readConfig();
        if (!parsed.ok) throw new Error(parsed.errors.join('; '));
        await switchShow(
          { ...deps, store: crashing.store },
          { competitionId: 'meet-1', failedVmId: 'vm-001', config: parsed.value, by: 'failover' },
        ).catch(() => undefined);
        const finished = crashing.calls() < crashAt;
        // The control plane comes back: later reconciles finish the switch (the request's run
        // lease of a crashed run expires first).
        for (let round = 0; round < 3; round += 1) {
          clock.advance(120_000);
          await env.admin.db.ref(`${paths.vmAgent('vm-002')}/lastSeen`).set(clock.now());
          await reconcile(deps);
        }
        expect(await failoverRecord('meet-1'), `crash at store call ${crashAt}`).toMatchObject({
          state: 'switched',
          spareVmId: 'vm-002',
        });
        expect((await competitionConfig('meet-1')).vmId).toBe('vm-002');
        expect(await poolProblems(env.admin.db), `crash at store call ${crashAt}`).toEqual([]);
        if (finished) break;
        crashAt += 3;
      }
    },
  );

  it('no double links under concurrent failovers, assigns and releases (property)', async () => {
    type Op = 'switch' | 'assign2' | 'assign3' | 'release1' | 'reconcile';
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<Op>('switch', 'assign2', 'assign3', 'release1', 'reconcile'), {
          minLength: 2,
          maxLength: 5,
        }),
        async (ops) => {
          await env.admin.db.ref().set(null);
          const { deps, clock, probe, address } = await givenLiveShow(
            { failoverMode: 'confirm' },
            { 'vm-002': 'available', 'vm-003': 'stopped' },
          );
          await crash(probe, address);
          await readyToSwitch(deps, clock);
          const parsed = await deps.store.readConfig();
          if (!parsed.ok) throw new Error(parsed.errors.join('; '));
          let n = 0;
          await Promise.all(
            ops.map(async (op) => {
              n += 1;
              const id = `p${n}`;
              const run = async (value: Record<string, unknown>) => {
                await env.admin.db.ref(paths.request(id)).set(value);
                await handleRequest(deps, id, value);
              };
              switch (op) {
                case 'switch':
                  await switchShow(deps, {
                    competitionId: 'meet-1',
                    failedVmId: 'vm-001',
                    config: parsed.value,
                    by: 'failover',
                  });
                  return;
                case 'assign2':
                  return run(request('assign', { competitionId: 'meet-2' }));
                case 'assign3':
                  return run(request('assign', { competitionId: 'meet-3' }));
                case 'release1':
                  return run(request('release', { competitionId: 'meet-1' }));
                case 'reconcile':
                  await reconcile(deps);
                  return;
              }
            }),
          );
          const problems = await poolProblems(env.admin.db);
          expect(problems).toEqual([]);
        },
      ),
      { numRuns: 12 },
    );
  });
});
