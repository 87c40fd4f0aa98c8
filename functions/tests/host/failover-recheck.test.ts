// Failover without a reconcile tick (issue 12): in the local functions host with no scheduled
// reconcile at all, a show VM whose agent goes offline (and whose show server does not answer)
// is switched to the spare by the `failoverRecheck` task function, run from the host's timer as
// Cloud Tasks would run it, once the failure lasted failoverAfterSeconds.
import { describe, expect, it } from 'vitest';
import { paths, type FailoverRecord } from '@vmpool/core';
import { addCompetition, request, seedVm, writeRequest } from '../support/fixtures';
import { useFunctionsHost } from '../support/functions-host';
import { tableShowProbe } from '../support/show-probe';
import { waitFor } from '../support/wait';

const probe = tableShowProbe();
const env = useFunctionsHost({
  config: {
    minWarmVMs: 0,
    autoStopAfterHours: 0,
    agentStaleSeconds: 900,
    failoverMode: 'auto',
    failoverAfterSeconds: 10,
  },
  seed: async (admin, compute) => {
    await addCompetition(admin.db, 'meet-1');
    await seedVm(admin.db, compute, 'vm-001', 'available', Date.now());
  },
  // No scheduled reconcile (the default): only triggers and the re-check timer run.
  host: { showProbe: probe },
  failOnErrorLogs: true,
});
const { compute } = env;

async function competitionVm(): Promise<{ vmId?: string; vmAddress?: string }> {
  return ((await env.admin.db.ref(paths.competitionConfig('meet-1')).get()).val() ?? {}) as {
    vmId?: string;
    vmAddress?: string;
  };
}

describe('failover re-check in the local functions host', () => {
  it('switches the show once the failure lasted failoverAfterSeconds, with no reconcile', async () => {
    await writeRequest(env.admin.db, 'a1', request('assign', { competitionId: 'meet-1' }));
    const live = await waitFor(
      async () => ((await competitionVm()).vmId === 'vm-001' ? await competitionVm() : undefined),
      'meet-1 on vm-001',
    );
    await seedVm(env.admin.db, compute, 'vm-002', 'available', Date.now());
    await env.host.idle();

    // vm-001 dies: its show server stops answering and its agent's presence goes false.
    probe.down(live.vmAddress!);
    const offlineAt = Date.now();
    await env.admin.db.ref(`${paths.vmAgent('vm-001')}/online`).set(false);

    const record = await waitFor(
      async () => {
        const value = (
          await env.admin.db.ref(paths.failover('meet-1')).get()
        ).val() as FailoverRecord;
        return value?.state === 'switched' && value.liveAt !== null ? value : undefined;
      },
      'the switch to the spare',
      60_000,
    );
    const switchedAfterMs = Date.now() - offlineAt;

    expect(record).toMatchObject({ failedVmId: 'vm-001', spareVmId: 'vm-002' });
    expect((await competitionVm()).vmId).toBe('vm-002');
    expect(switchedAfterMs).toBeGreaterThanOrEqual(10_000);
    const invocations = env.host.invocations();
    expect(invocations.scheduledReconcile).toBeUndefined();
    expect(invocations.failoverRecheck).toBeGreaterThanOrEqual(1);
    // The producers are told: the switch's critical alert and the spare's live note.
    const alerts = await waitFor(
      async () => {
        const all = Object.values(
          ((await env.admin.db.ref(paths.alerts('meet-1')).get()).val() ?? {}) as Record<
            string,
            { sourceId: string }
          >,
        ).map((alert) => alert.sourceId);
        return all.includes('failover-vm-001') && all.includes('failover-live-vm-002')
          ? all
          : undefined;
      },
      'the failover alerts',
      20_000,
    );
    expect(alerts.length).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
