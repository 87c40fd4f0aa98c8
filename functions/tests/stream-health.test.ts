// Stream health in the control plane (issue 15): the stream alerts follow the agent's `stream`
// and `obs` sections (trigger and reconcile), with the thresholds of the pool config, and a
// VM's preview and watchers go when it leaves its competition or the pool.
import { describe, expect, it } from 'vitest';
import { paths, type AgentReport, type ObsStatus, type StreamStatus } from '@vmpool/core';
import { onAgentReport } from '../src/usecases/events/agent-report';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { runQueuedCommands } from './support/agent-commands';
import { agentReport, readResult, readVm, request, submit } from './support/fixtures';
import { agentReports, givenAssignedPool, QUIET_POOL } from './support/pool';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();
const db = () => env.admin.db;

function obsUp(now: number): ObsStatus {
  return {
    connected: true,
    version: '29.0.2',
    activeFps: 30,
    renderSkippedFramesPercent: 0,
    cpuUsage: 12,
    memoryMb: 380,
    currentScene: 'Floor',
    recording: false,
    checkedAt: now,
  };
}

function streaming(now: number, overrides: Partial<StreamStatus> = {}): StreamStatus {
  return {
    active: true,
    reconnecting: false,
    bitrateKbps: 2500,
    droppedFramesPercent: 0,
    congestion: 0,
    durationSeconds: 600,
    checkedAt: now,
    ...overrides,
  };
}

const idleStream = (now: number): StreamStatus =>
  streaming(now, { active: false, bitrateKbps: 0, durationSeconds: 0 });

function withStream(base: AgentReport, stream: StreamStatus, obs: ObsStatus): AgentReport {
  return { ...base, stream, obs };
}

/** What OBS gone looks like from the agent: obs not connected, nothing going out. */
function obsGone(base: AgentReport, now: number): AgentReport {
  return {
    ...base,
    obs: {
      connected: false,
      version: '29.0.2',
      activeFps: null,
      renderSkippedFramesPercent: null,
      cpuUsage: null,
      memoryMb: null,
      currentScene: null,
      recording: false,
      checkedAt: now,
      detail: 'connect ECONNREFUSED 127.0.0.1:4455',
    },
    stream: { ...idleStream(now), durationSeconds: 0 },
  };
}

/** The show server on the VM says it lost OBS (what raises "OBS disconnected"). */
function showServerLostObs(report: AgentReport): AgentReport {
  if (report.show === null) throw new Error('the report has no show status');
  return { ...report, show: { ...report.show, obsConnected: false } };
}

async function openAlerts(scope: string): Promise<string[]> {
  const all = ((await db().ref(paths.alerts(scope)).get()).val() ?? {}) as Record<
    string,
    { sourceId: string; resolved: boolean; level: string }
  >;
  return Object.values(all)
    .filter((alert) => !alert.resolved)
    .map((alert) => `${alert.level}:${alert.sourceId}`)
    .sort();
}

async function alertCount(scope: string): Promise<number> {
  return Object.keys(((await db().ref(paths.alerts(scope)).get()).val() ?? {}) as object).length;
}

describe('stream alerts', () => {
  it('OBS gone mid-stream raises one critical alert, resolved once OBS is back', async () => {
    const { clock, deps } = await givenAssignedPool(db());
    const now = clock.now();
    const base = agentReport(now);
    const live = withStream(base, streaming(now), obsUp(now));
    await agentReports(deps, db(), 'vm-001', live, withStream(base, idleStream(now), obsUp(now)));
    expect(await openAlerts('meet-1')).toEqual([]);

    const gone = obsGone(live, now + 5000);
    await agentReports(deps, db(), 'vm-001', gone, live);
    expect(await openAlerts('meet-1')).toEqual(['critical:obs-gone-while-streaming-vm-001']);
    // Delivered again (at least once): still one alert.
    await onAgentReport(deps, 'vm-001', live, gone);
    expect(await alertCount('meet-1')).toBe(1);
    // A later sample without OBS and reconcile both leave it open (they cannot tell).
    const stillGone = obsGone(live, now + 10_000);
    await agentReports(deps, db(), 'vm-001', stillGone, gone);
    await reconcile(deps);
    expect(await openAlerts('meet-1')).toEqual(['critical:obs-gone-while-streaming-vm-001']);

    const back = withStream(base, streaming(now + 15_000), obsUp(now + 15_000));
    await agentReports(deps, db(), 'vm-001', back, stillGone);
    expect(await openAlerts('meet-1')).toEqual([]);
  });

  it('OBS gone mid-stream is one critical alert, though the show server also lost OBS', async () => {
    const { clock, deps } = await givenAssignedPool(db());
    const now = clock.now();
    const base = agentReport(now);
    const live = withStream(base, streaming(now), obsUp(now));
    await agentReports(deps, db(), 'vm-001', live, withStream(base, idleStream(now), obsUp(now)));
    // The same event in the same report: the agent's OBS section and the show server's status.
    const gone = showServerLostObs(obsGone(live, now + 5000));
    await agentReports(deps, db(), 'vm-001', gone, live);
    expect(await openAlerts('meet-1')).toEqual(['critical:obs-gone-while-streaming-vm-001']);
    await reconcile(deps);
    expect(await openAlerts('meet-1')).toEqual(['critical:obs-gone-while-streaming-vm-001']);
    expect(await alertCount('meet-1')).toBe(1);
  });

  it('OBS gone mid-stream takes over an "OBS disconnected" the show server raised first', async () => {
    const { clock, deps } = await givenAssignedPool(db());
    const now = clock.now();
    const base = agentReport(now);
    const live = withStream(base, streaming(now), obsUp(now));
    await agentReports(deps, db(), 'vm-001', live, withStream(base, idleStream(now), obsUp(now)));
    const showSaw = showServerLostObs(live);
    await agentReports(deps, db(), 'vm-001', showSaw, live);
    expect(await openAlerts('meet-1')).toEqual(['critical:obs-disconnected-vm-001']);
    await agentReports(deps, db(), 'vm-001', obsGone(showSaw, now + 5000), showSaw);
    expect(await openAlerts('meet-1')).toEqual(['critical:obs-gone-while-streaming-vm-001']);
  });

  it('OBS gone while not streaming is no stream alert', async () => {
    const { clock, deps } = await givenAssignedPool(db());
    const now = clock.now();
    const idle = withStream(agentReport(now), idleStream(now), obsUp(now));
    await agentReports(deps, db(), 'vm-001', obsGone(idle, now + 5000), idle);
    expect(await openAlerts('meet-1')).toEqual([]);
  });

  it('a stream stopped while the competition is live is critical; reconcile raises it when the show starts', async () => {
    const { clock, deps } = await givenAssignedPool(db());
    const now = clock.now();
    const idle = withStream(agentReport(now), idleStream(now), obsUp(now));
    await agentReports(deps, db(), 'vm-001', idle);
    // Not scheduled: a VM not streaming is fine.
    expect(await openAlerts('meet-1')).toEqual([]);
    await db()
      .ref(paths.competitionConfig('meet-1'))
      .update({ startsAt: now + 60_000, endsAt: now + 3_600_000 });
    await reconcile(deps);
    expect(await openAlerts('meet-1')).toEqual([]);
    clock.advance(61_000);
    const fresh = { ...idle, lastSeen: clock.now() };
    await db().ref(paths.vmAgent('vm-001')).set(fresh);
    await reconcile(deps);
    expect(await openAlerts('meet-1')).toEqual(['critical:stream-stopped-vm-001']);

    const live = withStream(fresh, streaming(clock.now()), obsUp(clock.now()));
    await agentReports(deps, db(), 'vm-001', live, fresh);
    expect(await openAlerts('meet-1')).toEqual([]);
    // The ingest dies: OBS reconnects, nothing goes out, the alert is back at once.
    const reconnecting = withStream(
      live,
      streaming(clock.now() + 5000, { active: false, reconnecting: true, bitrateKbps: 0 }),
      obsUp(clock.now() + 5000),
    );
    await agentReports(deps, db(), 'vm-001', reconnecting, live);
    expect(await openAlerts('meet-1')).toEqual(['critical:stream-stopped-vm-001']);
  });

  it('dropped frames and a low bitrate warn with the pool config thresholds', async () => {
    const { clock, deps } = await givenAssignedPool(db(), {
      config: { ...QUIET_POOL, streamDroppedFramesPercentMax: 2, streamMinBitrateKbps: 3000 },
    });
    const now = clock.now();
    const base = withStream(agentReport(now), idleStream(now), obsUp(now));
    // 2500 kbit/s is under this pool's floor; 1.5 % dropped is within its limit.
    const slow = withStream(base, streaming(now, { droppedFramesPercent: 1.5 }), obsUp(now));
    await agentReports(deps, db(), 'vm-001', slow, base);
    expect(await openAlerts('meet-1')).toEqual(['warning:stream-low-bitrate-vm-001']);
    const dropping = withStream(
      base,
      streaming(now + 5000, { droppedFramesPercent: 2.5, bitrateKbps: 3200 }),
      obsUp(now + 5000),
    );
    await agentReports(deps, db(), 'vm-001', dropping, slow);
    expect(await openAlerts('meet-1')).toEqual(['warning:stream-dropped-frames-vm-001']);
    // With the default thresholds (5 %, 1000 kbit/s) the same stream is healthy.
    await db().ref(paths.poolConfig()).update({
      streamDroppedFramesPercentMax: null,
      streamMinBitrateKbps: null,
    });
    await reconcile(deps);
    expect(await openAlerts('meet-1')).toEqual([]);
  });

  it('a heartbeat that leaves stream and obs alone derives nothing', async () => {
    const { clock, deps } = await givenAssignedPool(db());
    const now = clock.now();
    const live = withStream(agentReport(now), streaming(now, { bitrateKbps: 200 }), obsUp(now));
    await agentReports(deps, db(), 'vm-001', live);
    expect(await openAlerts('meet-1')).toEqual(['warning:stream-low-bitrate-vm-001']);
    await db().ref(paths.poolConfig()).update({ streamMinBitrateKbps: 0 });
    const heartbeat = { ...live, lastSeen: now + 30_000 };
    await agentReports(deps, db(), 'vm-001', heartbeat, live);
    expect(await openAlerts('meet-1')).toEqual(['warning:stream-low-bitrate-vm-001']);
    const sample = withStream(heartbeat, streaming(now + 35_000, { bitrateKbps: 210 }), obsUp(now));
    await agentReports(deps, db(), 'vm-001', sample, heartbeat);
    expect(await openAlerts('meet-1')).toEqual([]);
  });
});

describe('preview and watchers', () => {
  it('release removes the preview, the watchers and the stream alerts of that competition', async () => {
    const { clock, deps } = await givenAssignedPool(db(), {
      config: { ...QUIET_POOL, autoStopAfterHours: 0 },
      producer: 'producer-1',
    });
    const now = clock.now();
    const live = withStream(agentReport(now), streaming(now, { bitrateKbps: 100 }), obsUp(now));
    await agentReports(deps, db(), 'vm-001', live);
    expect(await openAlerts('meet-1')).toEqual(['warning:stream-low-bitrate-vm-001']);
    await db().ref(paths.preview('vm-001')).set({
      image: 'data:image/jpeg;base64,/9j/',
      width: 320,
      height: 180,
      bytes: 4,
      capturedAt: now,
      scene: 'Floor',
    });
    await db().ref(paths.vmWatcher('vm-001', 'producer-1')).set(now);

    await submit(deps, db(), 'r1', request('release', { competitionId: 'meet-1' }, 'producer-1'));
    await runQueuedCommands(db(), deps, 'vm-001');
    expect(await readResult(db(), 'r1')).toMatchObject({ state: 'succeeded' });
    expect((await db().ref(paths.preview('vm-001')).get()).exists()).toBe(false);
    expect((await db().ref(paths.vmWatchers('vm-001')).get()).exists()).toBe(false);
    expect(await readVm(db(), 'vm-001')).toMatchObject({ status: 'available' });
    expect(await openAlerts('meet-1')).toEqual([]);
  });

  it('terminate removes the preview; the stream alerts of a VM gone are resolved', async () => {
    const { clock, deps } = await givenAssignedPool(db());
    const now = clock.now();
    const live = withStream(agentReport(now), streaming(now, { bitrateKbps: 100 }), obsUp(now));
    await agentReports(deps, db(), 'vm-001', live);
    await submit(deps, db(), 'r1', request('release', { competitionId: 'meet-1' }));
    await runQueuedCommands(db(), deps, 'vm-001');
    // An alert a crashed handler left behind for a VM the pool no longer has.
    await deps.store.raiseAlert('pool', {
      id: 'stray',
      sourceId: 'stream-low-bitrate-vm-009',
      level: 'warning',
      category: 'obs',
      title: 'Low bitrate on vm-009',
      message: 'left behind',
      timestamp: now,
      createdAt: now,
      vmId: 'vm-009',
      metadata: { vmId: 'vm-009' },
      acknowledged: false,
      acknowledgedBy: null,
      acknowledgedAt: null,
      resolved: false,
      resolvedAt: null,
      autoResolve: true,
    });
    expect(await openAlerts('pool')).toContain('warning:stream-low-bitrate-vm-009');
    await db().ref(paths.preview('vm-001')).set({
      image: 'data:image/jpeg;base64,/9j/',
      width: 320,
      height: 180,
      bytes: 4,
      capturedAt: now,
      scene: null,
    });
    await submit(deps, db(), 't1', request('terminate', { vmId: 'vm-001' }));
    expect(await readVm(db(), 'vm-001')).toMatchObject({ status: 'terminating' });
    expect((await db().ref(paths.preview('vm-001')).get()).exists()).toBe(false);
    // The agent writes one last preview before it dies; reconcile's removal takes it too.
    await db().ref(paths.preview('vm-001')).set({
      image: 'data:image/jpeg;base64,/9j/',
      width: 320,
      height: 180,
      bytes: 4,
      capturedAt: now,
      scene: null,
    });
    await reconcile(deps);
    expect(await readVm(db(), 'vm-001')).toBeNull();
    expect((await db().ref(paths.preview('vm-001')).get()).exists()).toBe(false);
    expect(await openAlerts('pool')).not.toContain('warning:stream-low-bitrate-vm-009');
  });
});
