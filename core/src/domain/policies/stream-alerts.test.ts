import { describe, expect, it } from 'vitest';
import { agent, config, NOW, vm } from '../../../tests/fixtures';
import type { AgentReport, ObsStatus, StreamStatus } from '../../contract/agent-report';
import type { VmRecord } from '../../contract/vm-record';
import { alertFromDraft, type ScopedAlert } from './alerts';
import {
  DEFAULT_STREAM_ALERT_THRESHOLDS,
  deriveStreamAlerts,
  isCompetitionLive,
  orphanedStreamAlerts,
  streamAlertSourceIds,
  streamAlertThresholds,
  streamAlertVmId,
  streamConditions,
  type StreamAlertInput,
} from './stream-alerts';

const cfg = config();
const obsUp: ObsStatus = {
  connected: true,
  version: '29.0.2',
  activeFps: 30,
  renderSkippedFramesPercent: 0,
  cpuUsage: 20,
  memoryMb: 400,
  currentScene: 'Floor',
  recording: true,
  checkedAt: NOW - 2000,
};
const obsDown: ObsStatus = {
  ...obsUp,
  connected: false,
  activeFps: null,
  renderSkippedFramesPercent: null,
  cpuUsage: null,
  memoryMb: null,
  currentScene: null,
  recording: false,
  detail: 'connection lost',
};
const live: StreamStatus = {
  active: true,
  reconnecting: false,
  bitrateKbps: 4000,
  droppedFramesPercent: 0.2,
  congestion: 0,
  durationSeconds: 1200,
  checkedAt: NOW - 2000,
};
const off: StreamStatus = {
  ...live,
  active: false,
  bitrateKbps: 0,
  droppedFramesPercent: 0,
  durationSeconds: 0,
};

function report(stream: StreamStatus, obs: ObsStatus): AgentReport {
  return agent({ stream, obs });
}

function showVm(agentReport: AgentReport | null, overrides: Partial<VmRecord> = {}): VmRecord {
  return vm({
    vmId: 'vm-001',
    status: 'in_use',
    assignedTo: 'c1',
    agent: agentReport,
    ...overrides,
  });
}

function input(
  overrides: Partial<StreamAlertInput> & Pick<StreamAlertInput, 'vm'>,
): StreamAlertInput {
  return {
    previousAgent: null,
    competitionLive: true,
    config: cfg,
    thresholds: DEFAULT_STREAM_ALERT_THRESHOLDS,
    now: NOW,
    ...overrides,
  };
}

const active = (given: StreamAlertInput) =>
  Object.fromEntries(streamConditions(given).map((c) => [c.sourceId, c.active]));
const ids = streamAlertSourceIds;

describe('streamConditions', () => {
  it('finds nothing wrong with a healthy live stream', () => {
    expect(active(input({ vm: showVm(report(live, obsUp)) }))).toEqual({
      [ids.obsGoneWhileStreaming('vm-001')]: false,
      [ids.streamStopped('vm-001')]: false,
      [ids.droppedFrames('vm-001')]: false,
      [ids.lowBitrate('vm-001')]: false,
    });
  });

  it('raises OBS gone when OBS vanishes from a live stream, and keeps it until OBS is back', () => {
    const before = report(live, obsUp);
    const gone = showVm(report(off, obsDown));
    const first = streamConditions(input({ vm: gone, previousAgent: before }));
    expect(first[0]).toMatchObject({ active: true });
    expect(first[0]?.draft()).toMatchObject({
      level: 'critical',
      category: 'obs',
      scope: 'c1',
      competitionId: 'c1',
      vmId: 'vm-001',
      sourceId: ids.obsGoneWhileStreaming('vm-001'),
      message: 'OBS on vm-001 stopped answering while it was streaming (connection lost).',
    });
    // The next report (OBS still gone) cannot tell; the open alert stays.
    expect(
      active(input({ vm: gone, previousAgent: gone.agent }))[ids.obsGoneWhileStreaming('vm-001')],
    ).toBeNull();
    expect(
      active(input({ vm: showVm(report(off, obsUp)), previousAgent: gone.agent }))[
        ids.obsGoneWhileStreaming('vm-001')
      ],
    ).toBe(false);
  });

  it('does not call OBS leaving an idle VM "gone mid-stream"', () => {
    const gone = showVm(report(off, obsDown));
    expect(
      active(input({ vm: gone, previousAgent: report(off, obsUp) }))[
        ids.obsGoneWhileStreaming('vm-001')
      ],
    ).toBeNull();
  });

  it('raises stream stopped only while the competition is live and OBS answers', () => {
    const reconnecting = showVm(report({ ...off, reconnecting: true }, obsUp));
    const conditions = streamConditions(input({ vm: reconnecting }));
    expect(conditions[1]?.active).toBe(true);
    expect(conditions[1]?.draft().message).toBe(
      'OBS on vm-001 lost the ingest and is reconnecting; nothing goes out.',
    );
    expect(
      active(input({ vm: reconnecting, competitionLive: false }))[ids.streamStopped('vm-001')],
    ).toBe(false);
    expect(
      active(input({ vm: showVm(report(off, obsDown)) }))[ids.streamStopped('vm-001')],
    ).toBeNull();
  });

  it('warns about dropped frames and a low bitrate past the thresholds', () => {
    const poor = showVm(report({ ...live, droppedFramesPercent: 7.5, bitrateKbps: 600 }, obsUp));
    const conditions = streamConditions(input({ vm: poor }));
    expect(conditions.map((c) => c.active)).toEqual([false, false, true, true]);
    expect(conditions[2]?.draft()).toMatchObject({
      level: 'warning',
      message: "7.5% of the stream's frames dropped over the last minute (limit 5%).",
    });
    expect(conditions[3]?.draft().message).toBe(
      'The stream goes out at 600 kbit/s (floor 1000 kbit/s).',
    );
    const lenient = { droppedFramesPercent: 10, minBitrateKbps: 500 };
    expect(streamConditions(input({ vm: poor, thresholds: lenient })).map((c) => c.active)).toEqual(
      [false, false, false, false],
    );
  });

  it('knows nothing while the agent is silent, and clears everything once the VM is in no show', () => {
    const silent = showVm({ ...report({ ...off, reconnecting: true }, obsUp), online: false });
    expect(Object.values(active(input({ vm: silent })))).toEqual([null, null, null, null]);
    const released = showVm(report(off, obsDown), { status: 'available', assignedTo: null });
    expect(Object.values(active(input({ vm: released })))).toEqual([false, false, false, false]);
  });
});

describe('deriveStreamAlerts', () => {
  it('creates an alert once per condition and resolves it when the condition clears', () => {
    const poor = showVm(report({ ...live, droppedFramesPercent: 12 }, obsUp));
    const first = deriveStreamAlerts({ ...input({ vm: poor }), openAlerts: [] });
    expect(first.create.map((draft) => draft.sourceId)).toEqual([ids.droppedFrames('vm-001')]);
    const draft = first.create[0];
    if (!draft) throw new Error('expected a draft');
    const openAlert: ScopedAlert = { ...alertFromDraft(draft, 'a1'), scope: draft.scope };
    expect(deriveStreamAlerts({ ...input({ vm: poor }), openAlerts: [openAlert] })).toEqual({
      create: [],
      resolve: [],
    });
    const healthy = showVm(report(live, obsUp));
    expect(deriveStreamAlerts({ ...input({ vm: healthy }), openAlerts: [openAlert] })).toEqual({
      create: [],
      resolve: [{ scope: 'c1', alertId: 'a1', sourceId: ids.droppedFrames('vm-001') }],
    });
  });

  it('OBS gone mid-stream takes over an open "OBS disconnected" of the same VM', () => {
    const gone = showVm(report(off, obsDown));
    const plain: ScopedAlert = {
      ...alertFromDraft(
        {
          scope: 'c1',
          sourceId: 'obs-disconnected-vm-001',
          level: 'critical',
          category: 'obs',
          title: 'OBS disconnected on vm-001',
          message: 'm',
          timestamp: NOW,
          createdAt: NOW,
          vmId: 'vm-001',
          competitionId: 'c1',
          autoResolve: true,
        },
        'a0',
      ),
      scope: 'c1',
    };
    const changes = deriveStreamAlerts({
      ...input({ vm: gone, previousAgent: report(live, obsUp) }),
      openAlerts: [plain],
    });
    expect(changes.create.map((draft) => draft.sourceId)).toEqual([
      ids.obsGoneWhileStreaming('vm-001'),
    ]);
    expect(changes.resolve).toEqual([
      { scope: 'c1', alertId: 'a0', sourceId: 'obs-disconnected-vm-001' },
    ]);
    // OBS leaving an idle VM is no mid-stream event: the plain alert stays.
    const idle = deriveStreamAlerts({
      ...input({ vm: gone, previousAgent: report(off, obsUp) }),
      openAlerts: [plain],
    });
    expect(idle).toEqual({ create: [], resolve: [] });
  });
});

describe('stream alert settings and bookkeeping', () => {
  it('takes its thresholds from the pool config', () => {
    expect(DEFAULT_STREAM_ALERT_THRESHOLDS).toEqual({
      droppedFramesPercent: 5,
      minBitrateKbps: 1000,
    });
    expect(
      streamAlertThresholds(
        config({ streamDroppedFramesPercentMax: 2.5, streamMinBitrateKbps: 0 }),
      ),
    ).toEqual({ droppedFramesPercent: 2.5, minBitrateKbps: 0 });
  });

  it('a bitrate floor of 0 never warns, a tighter dropped-frames limit does', () => {
    const slow = showVm(report({ ...live, bitrateKbps: 10, droppedFramesPercent: 3 }, obsUp));
    const thresholds = streamAlertThresholds(
      config({ streamDroppedFramesPercentMax: 2, streamMinBitrateKbps: 0 }),
    );
    const created = deriveStreamAlerts({ ...input({ vm: slow }), thresholds, openAlerts: [] });
    expect(created.create.map((draft) => draft.sourceId)).toEqual([ids.droppedFrames('vm-001')]);
  });

  it('is live only inside the scheduled window', () => {
    expect(isCompetitionLive(null, NOW)).toBe(false);
    expect(isCompetitionLive({}, NOW)).toBe(false);
    expect(isCompetitionLive({ startsAt: NOW, endsAt: NOW + 1 }, NOW)).toBe(true);
    expect(isCompetitionLive({ startsAt: NOW - 10, endsAt: NOW }, NOW)).toBe(false);
    expect(isCompetitionLive({ startsAt: NOW + 1, endsAt: NOW + 10 }, NOW)).toBe(false);
  });

  it('resolves the stream alerts of VMs the pool no longer has', () => {
    const open = (id: string, sourceId: string, autoResolve = true): ScopedAlert => ({
      ...alertFromDraft(
        {
          scope: 'c1',
          sourceId,
          level: 'warning',
          category: 'obs',
          title: 't',
          message: 'm',
          timestamp: NOW,
          createdAt: NOW,
          autoResolve,
        },
        id,
      ),
      scope: 'c1',
    });
    expect(streamAlertVmId(ids.lowBitrate('vm-007'))).toBe('vm-007');
    expect(streamAlertVmId('vm-unreachable-vm-007')).toBeNull();
    const alerts = [
      open('a1', ids.obsGoneWhileStreaming('vm-007')),
      open('a2', ids.streamStopped('vm-001')),
      open('a3', 'vm-unreachable-vm-007'),
      open('a4', ids.lowBitrate('vm-007'), false),
    ];
    expect(orphanedStreamAlerts(alerts, new Set(['vm-001']))).toEqual([
      { scope: 'c1', alertId: 'a1', sourceId: ids.obsGoneWhileStreaming('vm-007') },
    ]);
  });
});
