import { describe, expect, it } from 'vitest';
import { paths, type AgentReport } from '@vmpool/core';
import type { UseCaseDeps } from '../src/usecases/deps';
import { onAgentReport } from '../src/usecases/events/agent-report';
import { onCommandStatus } from '../src/usecases/events/command-status';
import { handleRequest } from '../src/usecases/requests/handle-request';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { runQueuedCommands } from './support/agent-commands';
import { agentReport, readResult, readVm, request, submit } from './support/fixtures';
import { agentReports, givenAssignedPool } from './support/pool';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();

const assigned = () => givenAssignedPool(env.admin.db);

/** vm-001's agent goes from `before` to `after`. */
const report = (deps: UseCaseDeps, before: AgentReport | null, after: AgentReport) =>
  agentReports(deps, env.admin.db, 'vm-001', after, before);

async function openAlerts(scope: string) {
  const all = ((await env.admin.db.ref(paths.alerts(scope)).get()).val() ?? {}) as Record<
    string,
    { sourceId: string; resolved: boolean; level: string }
  >;
  return Object.values(all)
    .filter((alert) => !alert.resolved)
    .map((alert) => `${alert.level}:${alert.sourceId}`)
    .sort();
}

describe('agent reports', () => {
  it('OBS streaming moves the VM to in_use and back', async () => {
    const { clock, deps } = await assigned();
    const idle = agentReport(clock.now());
    const live = { ...idle, show: idle.show ? { ...idle.show, obsIsStreaming: true } : null };
    await report(deps, idle, live);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'in_use' });
    await report(deps, live, idle);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'assigned' });
  });

  it("raises OBS-disconnected and show-server-down alerts in the competition's scope, and resolves them", async () => {
    const { clock, deps } = await assigned();
    const healthy = agentReport(clock.now());
    const broken: AgentReport = {
      ...healthy,
      services: { showServer: { state: 'down', checkedAt: clock.now() } },
      show: healthy.show ? { ...healthy.show, reachable: true, obsConnected: false } : null,
    };
    await report(deps, healthy, broken);
    expect(await openAlerts('meet-1')).toEqual([
      'critical:obs-disconnected-vm-001',
      'warning:show-server-down-vm-001',
    ]);
    // The same report delivered again raises nothing new.
    await onAgentReport(deps, 'vm-001', healthy, broken);
    expect(await openAlerts('meet-1')).toHaveLength(2);
    await report(deps, broken, healthy);
    expect(await openAlerts('meet-1')).toEqual([]);
  });

  it('an agent going offline mid-show raises a critical alert at once', async () => {
    const { clock, deps } = await assigned();
    const online = agentReport(clock.now());
    await report(deps, online, { ...online, online: false });
    expect(await openAlerts('meet-1')).toContain('critical:vm-unreachable-vm-001');
  });

  it('says when the agent disconnected, not "last seen 0s ago"', async () => {
    const { clock, deps } = await assigned();
    const online = agentReport(clock.now());
    // onDisconnect stamps lastSeen with the moment the server noticed; the trigger runs later.
    const offline = { ...online, online: false, lastSeen: clock.now() };
    clock.advance(12_000);
    await report(deps, online, offline);
    const alerts = ((await env.admin.db.ref(paths.alerts('meet-1')).get()).val() ?? {}) as Record<
      string,
      { sourceId: string; message: string }
    >;
    const unreachable = Object.values(alerts).find(
      (alert) => alert.sourceId === 'vm-unreachable-vm-001',
    );
    // T0 is 2027-01-15T08:00:00Z.
    expect(unreachable?.message).toBe(
      'The agent on vm-001 disconnected at 08:00:00 UTC (12 s ago).',
    );
  });
});

describe('every handler run twice gives the same state', () => {
  async function snapshot() {
    const data = (await env.admin.db.ref().get()).val() as Record<string, unknown>;
    return JSON.parse(
      JSON.stringify(data, (key, value: unknown) =>
        key === 'updatedAt' || key === 'at' ? undefined : value,
      ),
    ) as unknown;
  }

  it('agent report, command status, reconcile and a finished release', async () => {
    const { clock, deps } = await assigned();
    const online = agentReport(clock.now());
    await report(deps, null, online);
    const afterReport = await snapshot();
    await onAgentReport(deps, 'vm-001', null, online);
    expect(await snapshot()).toEqual(afterReport);

    await submit(deps, env.admin.db, 'r1', request('release', { competitionId: 'meet-1' }));
    await runQueuedCommands(env.admin.db, deps, 'vm-001');
    expect((await readResult(env.admin.db, 'r1'))?.state).toBe('succeeded');
    const afterRelease = await snapshot();
    const commands = Object.keys(
      ((await env.admin.db.ref(paths.vmCommands('vm-001')).get()).val() ?? {}) as object,
    );
    for (const commandId of commands) await onCommandStatus(deps, 'vm-001', commandId);
    const stored = (await env.admin.db.ref(paths.request('r1')).get()).val() as unknown;
    await handleRequest(deps, 'r1', stored);
    expect(await snapshot()).toEqual(afterRelease);

    await reconcile(deps);
    const afterReconcile = await snapshot();
    await reconcile(deps);
    expect(await snapshot()).toEqual(afterReconcile);
  });
});
