// Issue 12, state restore: before a failover hands the spare to the competition, the spare's
// agent imports the competition's latest saved show state (import_state); the hand-over step,
// the failover record and the alert say what was restored and how old it is, or that nothing
// was, and the switch completes whatever the import does, within a bounded wait.
import { describe, expect, it } from 'vitest';
import {
  paths,
  RESTORE_WAIT_MS,
  stateExportKey,
  type FailoverRecord,
  type PoolConfig,
  type StateExportRecord,
} from '@vmpool/core';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { readResult, request, seedVm, submit } from './support/fixtures';
import { poolProblems } from './support/invariants';
import { givenPool, QUIET_POOL } from './support/pool';
import { useTestDatabase } from './support/rtdb';
import type { tableShowProbe } from './support/show-probe';

const env = useTestDatabase();
type Probe = ReturnType<typeof tableShowProbe>;
const MINUTE = 60_000;
const DIGEST = '5e'.repeat(32);

async function value<T>(path: string): Promise<T | null> {
  return (await env.admin.db.ref(path).get()).val() as T | null;
}

/** meet-1 live on vm-001, vm-002 warm; the failover switches after 30 s. */
async function givenLiveShow(config: Partial<PoolConfig> = {}) {
  const pool = await givenPool(env.admin.db, {
    config: { ...QUIET_POOL, failoverMode: 'auto', failoverAfterSeconds: 30, ...config },
    competitions: ['meet-1'],
    vms: { 'vm-001': 'available' },
  });
  await submit(pool.deps, env.admin.db, 'a1', request('assign', { competitionId: 'meet-1' }));
  await seedVm(env.admin.db, pool.compute, 'vm-002', 'available', pool.clock.now());
  const address = (await value<{ vmAddress: string }>(paths.competitionConfig('meet-1')))!
    .vmAddress;
  return { ...pool, probe: pool.deps.showProbe as Probe, address };
}

/** What vm-001's agent recorded while the show ran (its archive holds the bundle). */
function savedExport(at: number): StateExportRecord {
  return {
    competitionId: 'meet-1',
    vmId: 'vm-001',
    at,
    bucket: 'local-archive',
    key: stateExportKey('meet-1', DIGEST),
    digest: DIGEST,
    bytes: 4096,
    obs: { sceneCollection: 'Gymnastics', profile: 'Broadcast' },
    showServer: false,
    trigger: 'change',
  };
}

interface ImportSeen {
  args: Record<string, unknown>;
  /** What the competition's config pointed at when the import was queued. */
  configVmId: string | null;
  /** What the failover record told producers meanwhile. */
  restored: string | null;
}

/**
 * Stands in for vm-002's agent on the commands channel: answers each import_state with
 * `outcome` (or never, for null) and notes what the competition pointed at meanwhile.
 */
function spareAgent(outcome: { status: 'succeeded' | 'failed'; reason?: string } | null) {
  const seen: ImportSeen[] = [];
  const ref = env.admin.db.ref(paths.vmCommands('vm-002'));
  const listener = ref.on('child_added', (snapshot) => {
    const command = snapshot.val() as { op: string; args: Record<string, unknown> };
    if (command.op !== 'import_state') return;
    void (async () => {
      const config = await value<{ vmId?: string }>(paths.competitionConfig('meet-1'));
      const failover = await value<FailoverRecord>(paths.failover('meet-1'));
      seen.push({
        args: command.args,
        configVmId: config?.vmId ?? null,
        restored: failover?.restored ?? null,
      });
      if (outcome === null) return;
      await snapshot.ref.update({
        claim: { bootId: 'boot-vm-002', at: Date.now() },
        status: outcome.status,
        finishedAt: Date.now(),
        ...(outcome.reason ? { reason: outcome.reason } : {}),
      });
    })();
  });
  return { seen, stop: () => ref.off('child_added', listener) };
}

async function failOver(pool: Awaited<ReturnType<typeof givenLiveShow>>) {
  await env.admin.db.ref(`${paths.vmAgent('vm-001')}/online`).set(false);
  pool.probe.down(pool.address);
  await reconcile(pool.deps);
  pool.clock.advance(30_000);
}

async function switched() {
  const record = await value<FailoverRecord>(paths.failover('meet-1'));
  const alerts = Object.values(
    (await value<Record<string, { sourceId: string; message: string; resolved: boolean }>>(
      paths.alerts('meet-1'),
    )) ?? {},
  );
  const alert = alerts.find((a) => a.sourceId === 'failover-vm-001' && !a.resolved);
  const result = await readResult(env.admin.db, record!.requestId!);
  const config = await value<{ vmId?: string }>(paths.competitionConfig('meet-1'));
  return { record, alert, result, config };
}

describe('failover state restore', () => {
  it('imports the latest export on the spare before the hand-over; the alert names its age', async () => {
    const pool = await givenLiveShow();
    // A real wait between looks: the spare's answer, not the clock, ends the wait.
    pool.deps.sleep = (ms) => new Promise((done) => setTimeout(done, Math.min(ms, 50)));
    const agent = spareAgent({ status: 'succeeded' });
    try {
      await failOver(pool);
      await env.admin.db
        .ref(paths.stateExport('meet-1'))
        .set(savedExport(pool.clock.now() - 5 * MINUTE));
      await reconcile(pool.deps);
    } finally {
      agent.stop();
    }
    expect(agent.seen).toEqual([
      {
        args: { competitionId: 'meet-1', sourceVmId: 'vm-001', digest: DIGEST },
        // Queued while the competition pointed at no VM: before the hand-over.
        configVmId: null,
        restored:
          'Restoring OBS scene collection "Gymnastics" and profile "Broadcast" (saved by vm-001 5 min ago) on vm-002…',
      },
    ]);
    const { record, alert, result, config } = await switched();
    const restored =
      'Restored OBS scene collection "Gymnastics" and profile "Broadcast", saved by vm-001 5 min ago.';
    expect(config?.vmId).toBe('vm-002');
    expect(record).toMatchObject({ state: 'switched', spareVmId: 'vm-002', restored });
    expect(alert?.message).toContain(restored);
    expect(result?.state).toBe('succeeded');
    expect(result?.message).toContain(restored);
    expect(result?.steps?.map((step) => [step.name, step.state])).toEqual([
      ['Check request', 'done'],
      ['Claim VM', 'done'],
      ['Restore state', 'done'],
      ['Hand over', 'done'],
    ]);
    expect(await poolProblems(env.admin.db)).toEqual([]);
  });

  it('says that nothing was restored when no export exists, and queues no import', async () => {
    const pool = await givenLiveShow();
    const agent = spareAgent({ status: 'succeeded' });
    try {
      await failOver(pool);
      await reconcile(pool.deps);
    } finally {
      agent.stop();
    }
    expect(agent.seen).toEqual([]);
    const { record, alert, config } = await switched();
    const nothing = 'Nothing was restored: no saved OBS state of meet-1 exists.';
    expect(config?.vmId).toBe('vm-002');
    expect(record).toMatchObject({ state: 'switched', restored: nothing });
    expect(alert?.message).toContain(nothing);
  });

  it('completes the switch when the import fails, with the reason in the alert', async () => {
    const pool = await givenLiveShow();
    pool.deps.sleep = (ms) => new Promise((done) => setTimeout(done, Math.min(ms, 50)));
    const agent = spareAgent({ status: 'failed', reason: 'OBS is not connected' });
    try {
      await failOver(pool);
      await env.admin.db
        .ref(paths.stateExport('meet-1'))
        .set(savedExport(pool.clock.now() - 2 * MINUTE));
      await reconcile(pool.deps);
    } finally {
      agent.stop();
    }
    const { record, alert, config } = await switched();
    expect(config?.vmId).toBe('vm-002');
    expect(record?.state).toBe('switched');
    expect(alert?.message).toContain(
      'Nothing was restored: importing OBS scene collection "Gymnastics" and profile "Broadcast" (saved by vm-001 2 min ago) failed: OBS is not connected',
    );
  });

  it('hands over after the bounded wait when the spare never answers the import', async () => {
    const pool = await givenLiveShow();
    // Each look moves the (manual) clock on: the wait ends by the clock, not by the spare.
    const waits: number[] = [];
    pool.deps.sleep = async (ms) => {
      waits.push(ms);
      pool.clock.advance(ms);
      await new Promise((done) => setTimeout(done, 1));
    };
    const agent = spareAgent(null);
    try {
      await failOver(pool);
      await env.admin.db
        .ref(paths.stateExport('meet-1'))
        .set(savedExport(pool.clock.now() - MINUTE));
      await reconcile(pool.deps);
    } finally {
      agent.stop();
    }
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBe(RESTORE_WAIT_MS);
    const { record, alert, config } = await switched();
    expect(config?.vmId).toBe('vm-002');
    expect(record?.state).toBe('switched');
    expect(alert?.message).toContain(
      // Its age when the hand-over went on: a minute, plus the 20 s it waited.
      `(saved by vm-001 80 s ago) did not finish within ${RESTORE_WAIT_MS / 1000} s.`,
    );
  });
});
