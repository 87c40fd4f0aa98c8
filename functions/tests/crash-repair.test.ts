import { describe, expect, it } from 'vitest';
import type { manualClock } from '@vmpool/core/ports';
import { paths } from '@vmpool/core';
import { handleRequest } from '../src/usecases/requests/handle-request';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import type { UseCaseDeps } from '../src/usecases/deps';
import { runQueuedCommands } from './support/agent-commands';
import { crashingStore } from './support/crashing-store';
import { agentReport, readResult, request, writeRequest } from './support/fixtures';
import { poolProblems } from './support/invariants';
import { agentReports, givenAssignedPool, givenPool, QUIET_POOL } from './support/pool';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();

const MINUTE = 60_000;

const pool = (kind: 'available' | 'stopped') =>
  givenPool(env.admin.db, {
    config: QUIET_POOL,
    competitions: ['meet-1'],
    vms: { 'vm-001': kind },
  });

/** Runs `work` on a store that dies at call `crashAt`; the crash itself is expected. */
async function crashDuring(
  deps: UseCaseDeps,
  crashAt: number | null,
  work: (d: UseCaseDeps) => Promise<void>,
) {
  const crashing = crashingStore(deps.store, crashAt);
  await work({ ...deps, store: crashing.store }).catch(() => undefined);
  return crashing.calls();
}

/** The agent of a started VM comes up (what the real agent does after boot). */
async function agentComesUp(deps: UseCaseDeps, clock: { now(): number }) {
  const vm = (await env.admin.db.ref(paths.vm('vm-001')).get()).val() as { status: string } | null;
  if (vm?.status !== 'starting') return;
  await agentReports(deps, env.admin.db, 'vm-001', agentReport(clock.now()));
}

async function repairRounds(deps: UseCaseDeps, clock: ReturnType<typeof manualClock>) {
  for (let round = 0; round < 3; round += 1) {
    clock.advance(3 * MINUTE);
    if ((await env.admin.db.ref(paths.vmAgent('vm-001')).get()).exists()) {
      await env.admin.db.ref(paths.vmAgent('vm-001')).update({ lastSeen: clock.now() });
    }
    await reconcile(deps);
    await agentComesUp(deps, clock);
    await runQueuedCommands(env.admin.db, deps, 'vm-001');
  }
}

describe('a crash at any step is repaired by the next reconciles', () => {
  for (const kind of ['available', 'stopped'] as const) {
    it(`assign of a ${kind === 'available' ? 'warm' : 'cold'} VM`, async () => {
      const probe = await pool(kind);
      const payload = request('assign', { competitionId: 'meet-1' });
      await writeRequest(env.admin.db, 'a1', payload);
      const steps = await crashDuring(probe.deps, null, (d) => handleRequest(d, 'a1', payload));
      expect(steps).toBeGreaterThan(5);

      for (let crashAt = 1; crashAt <= steps; crashAt += 1) {
        await env.admin.db.ref().set(null);
        const { clock, deps } = await pool(kind);
        await writeRequest(env.admin.db, 'a1', payload);
        await crashDuring(deps, crashAt, (d) => handleRequest(d, 'a1', payload));
        await agentComesUp(deps, clock);
        await repairRounds(deps, clock);
        expect({ crashAt, problems: await poolProblems(env.admin.db) }).toEqual({
          crashAt,
          problems: [],
        });
        const result = await readResult(env.admin.db, 'a1');
        expect({ crashAt, state: result?.state, error: result?.error }).toEqual({
          crashAt,
          state: 'succeeded',
          error: undefined,
        });
        const link = (await env.admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
        expect(link.vmId).toBe('vm-001');
      }
    }, 240_000);
  }

  it('release', async () => {
    const setupAssigned = () => givenAssignedPool(env.admin.db);
    const payload = request('release', {
      competitionId: 'meet-1',
      options: { archiveRecordings: true },
    });
    const probe = await setupAssigned();
    await writeRequest(env.admin.db, 'r1', payload);
    const steps = await crashDuring(probe.deps, null, async (d) => {
      await handleRequest(d, 'r1', payload);
      await runQueuedCommands(env.admin.db, d, 'vm-001');
    });

    for (let crashAt = 1; crashAt <= steps; crashAt += 1) {
      await env.admin.db.ref().set(null);
      const { clock, deps } = await setupAssigned();
      await writeRequest(env.admin.db, 'r1', payload);
      await crashDuring(deps, crashAt, async (d) => {
        await handleRequest(d, 'r1', payload);
        await runQueuedCommands(env.admin.db, d, 'vm-001');
      });
      await repairRounds(deps, clock);
      expect({ crashAt, problems: await poolProblems(env.admin.db) }).toEqual({
        crashAt,
        problems: [],
      });
      expect({ crashAt, state: (await readResult(env.admin.db, 'r1'))?.state }).toEqual({
        crashAt,
        state: 'succeeded',
      });
      const vm = (await env.admin.db.ref(paths.vm('vm-001')).get()).val();
      expect({
        crashAt,
        status: vm.status,
        assignedTo: vm.assignedTo,
        reason: vm.statusReason,
      }).toEqual({
        reason: 'released from meet-1',
        crashAt,
        status: 'available',
        assignedTo: undefined,
      });
      const link = (await env.admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
      expect(link.vmId).toBeUndefined();
    }
  }, 240_000);
});
