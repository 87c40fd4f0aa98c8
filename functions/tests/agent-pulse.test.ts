// The agent's pulse (vmPool/pulse/{vmId}: heartbeat and metrics) apart from its triggered
// report: reconcile judges staleness from it, the store merges it, the one-shot migration
// moves metrics stored under the report, and deleting a VM deletes its pulse.
import { describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { migrateAgentPulse } from '../src/store/migrations/agent-pulse';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { T0 } from './support/deps';
import { agentReport, readVm } from './support/fixtures';
import { givenPool, QUIET_POOL } from './support/pool';
import { useTestDatabase } from './support/rtdb';
import { toRtdbValue } from '../src/store/rtdb-values';

const env = useTestDatabase();

const METRICS = {
  cpuPercent: 12,
  load1: 0.4,
  memUsedPercent: 30,
  memUsedMb: 2400,
  memTotalMb: 7900,
  diskUsedPercent: 20,
  netRxBps: 1000,
  netTxBps: 2000,
  uptimeSeconds: 600,
  sampledAt: T0,
};

describe('agent pulse', () => {
  it('keeps a quiet agent fresh by its heartbeat alone: reconcile reads the pulse, not the report', async () => {
    const { clock, deps } = await givenPool(env.admin.db, {
      config: { ...QUIET_POOL, agentStaleSeconds: 60 },
      vms: { 'vm-001': 'available', 'vm-002': 'available' },
    });
    // Both agents wrote their state at T0 and nothing changed since.
    for (const vmId of ['vm-001', 'vm-002']) {
      await env.admin.db
        .ref(paths.vmAgent(vmId))
        .set(toRtdbValue({ ...agentReport(T0), bootId: `boot-${vmId}` }));
    }
    clock.advance(10 * 60_000);
    // Only vm-001's agent kept beating (its pulse), as the agent does every 20 s.
    await env.admin.db
      .ref(paths.vmPulse('vm-001'))
      .set({ bootId: 'boot-vm-001', lastSeen: clock.now() - 5_000, metrics: METRICS });
    // A pulse of an earlier agent run (another bootId) proves nothing about this one.
    await env.admin.db
      .ref(paths.vmPulse('vm-002'))
      .set({ bootId: 'boot-earlier', lastSeen: clock.now() - 5_000, metrics: null });

    const report = await reconcile(deps);
    expect(report.stale).toBe(1);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });
    expect(await readVm(env.admin.db, 'vm-002')).toMatchObject({
      status: 'error',
      errorCause: 'agent_stale',
    });
    // The store gives the report with its pulse merged in: the heartbeat and the metrics.
    const vm = await deps.store.getVm('vm-001');
    expect(vm?.agent?.lastSeen).toBe(clock.now() - 5_000);
    expect(vm?.agent?.metrics).toEqual(METRICS);
    const listed = (await deps.store.listVms()).vms.find((v) => v.vmId === 'vm-001');
    expect(listed?.agent?.metrics).toEqual(METRICS);
    // An assign's listing leaves the pulses out.
    const lean = (await deps.store.listVms({ pulse: false })).vms.find((v) => v.vmId === 'vm-001');
    expect(lean?.agent?.lastSeen).toBe(T0);
    expect(lean?.agent?.metrics).toBeNull();
  });

  it('deleting a VM record deletes its pulse', async () => {
    const { deps } = await givenPool(env.admin.db, {
      config: QUIET_POOL,
      vms: { 'vm-001': 'stopped' },
    });
    await env.admin.db
      .ref(paths.vmPulse('vm-001'))
      .set({ bootId: 'b', lastSeen: T0, metrics: null });
    expect(await deps.store.deleteVm('vm-001', () => true)).toBe(true);
    expect((await env.admin.db.ref(paths.vmPulse('vm-001')).get()).exists()).toBe(false);
  });

  it('migrates metrics stored under the report into the pulse, once, and reconcile runs it', async () => {
    const { clock, deps } = await givenPool(env.admin.db, {
      config: QUIET_POOL,
      vms: { 'vm-001': 'available', 'vm-002': 'available', 'vm-003': 'stopped' },
    });
    const db = env.admin.db;
    // Data as the previous layout left it: metrics (and the heartbeat) under agent.
    await db
      .ref(paths.vmAgent('vm-001'))
      .set(toRtdbValue({ ...agentReport(T0 - 1_000), bootId: 'boot-1', metrics: METRICS }));
    // vm-002's new agent already writes its pulse: the migration must not overwrite it.
    await db
      .ref(paths.vmAgent('vm-002'))
      .set(toRtdbValue({ ...agentReport(T0 - 2_000), bootId: 'boot-2', metrics: METRICS }));
    const newer = { bootId: 'boot-2', lastSeen: T0, metrics: { ...METRICS, cpuPercent: 99 } };
    await db.ref(paths.vmPulse('vm-002')).set(newer);

    await reconcile(deps);
    expect((await db.ref(paths.vmPulse('vm-001')).get()).val()).toEqual({
      bootId: 'boot-1',
      lastSeen: T0 - 1_000,
      metrics: METRICS,
    });
    expect((await db.ref(paths.vmPulse('vm-002')).get()).val()).toEqual(newer);
    expect((await db.ref(paths.vmPulse('vm-003')).get()).exists()).toBe(false);
    for (const vmId of ['vm-001', 'vm-002']) {
      expect((await db.ref(`${paths.vmAgent(vmId)}/metrics`).get()).exists()).toBe(false);
      expect((await db.ref(`${paths.vmAgent(vmId)}/online`).get()).val()).toBe(true);
    }
    expect((await db.ref(paths.migration('agent-pulse')).get()).val()).toEqual({
      at: T0,
      moved: 2,
    });

    // Once: metrics written later under agent (an old agent) are not moved again.
    await db.ref(`${paths.vmAgent('vm-001')}/metrics`).set(METRICS);
    clock.advance(60_000);
    expect(await migrateAgentPulse(db, clock.now())).toEqual({ ran: false, moved: 0 });
    expect((await db.ref(`${paths.vmAgent('vm-001')}/metrics`).get()).exists()).toBe(true);
  });

  it('a migration that stopped midway completes on the next run', async () => {
    await givenPool(env.admin.db, { config: QUIET_POOL, vms: { 'vm-001': 'available' } });
    const db = env.admin.db;
    await db
      .ref(paths.vmAgent('vm-001'))
      .set(toRtdbValue({ ...agentReport(T0), bootId: 'boot-1', metrics: METRICS }));
    // The pulse was written, then the run died before removing agent/metrics and the mark.
    await db.ref(paths.vmPulse('vm-001')).set({ bootId: 'boot-1', lastSeen: T0, metrics: METRICS });
    expect(await migrateAgentPulse(db, T0)).toEqual({ ran: true, moved: 1 });
    expect((await db.ref(`${paths.vmAgent('vm-001')}/metrics`).get()).exists()).toBe(false);
    expect((await db.ref(paths.vmPulse('vm-001')).get()).val()).toMatchObject({
      metrics: METRICS,
    });
  });
});
