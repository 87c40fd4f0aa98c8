import { describe, expect, it } from 'vitest';
import {
  latenciesMoved,
  latencyMoved,
  metricsMoved,
  obsMoved,
  serviceChanged,
  showChanged,
  streamMoved,
} from './changes';
import type { MetricsReport, ObsReport, ShowReport, StreamReport } from './types';

const show: ShowReport = {
  reachable: true,
  obsConnected: true,
  obsIsStreaming: false,
  obsIsRecording: false,
  obsCurrentScene: 'Main',
  connectedClients: 2,
  latencyMs: 12,
  checkedAt: 1000,
};

const metrics: MetricsReport = {
  cpuPercent: 20,
  load1: 0.4,
  memUsedPercent: 40,
  memUsedMb: 3200,
  memTotalMb: 8000,
  diskUsedPercent: 30,
  netRxBps: 1_000_000,
  netTxBps: 4_000_000,
  uptimeSeconds: 1000,
  sampledAt: 1000,
};

describe('serviceChanged', () => {
  it('ignores checkedAt and every latency (the pulse keeps those), but not state or detail', () => {
    const up = { state: 'up' as const, checkedAt: 1, port: 3003, latencyMs: 10 };
    expect(serviceChanged(undefined, up)).toBe(true);
    expect(serviceChanged(up, { ...up, checkedAt: 99, latencyMs: 60 })).toBe(false);
    expect(serviceChanged(up, { ...up, latencyMs: 900 })).toBe(false);
    expect(serviceChanged(up, { ...up, state: 'down' })).toBe(true);
    expect(serviceChanged(up, { ...up, detail: 'refused' })).toBe(true);
    expect(serviceChanged(up, { ...up, port: 3004 })).toBe(true);
  });
});

describe('showChanged', () => {
  it('reacts to OBS and client changes, not to the time of the check', () => {
    expect(showChanged(show, { ...show, checkedAt: 5000, latencyMs: 40 })).toBe(false);
    expect(showChanged(show, { ...show, latencyMs: 2400 })).toBe(false);
    expect(showChanged(show, { ...show, obsIsStreaming: true })).toBe(true);
    expect(showChanged(show, { ...show, connectedClients: 3 })).toBe(true);
    expect(showChanged(show, { ...show, obsCurrentScene: null })).toBe(true);
    expect(showChanged(show, { ...show, reachable: false, latencyMs: null })).toBe(true);
  });
});

describe('latenciesMoved', () => {
  it('writes the first latencies, a service appearing or going, and a jump past the noise', () => {
    const latency = { showServer: 3, obsWebsocket: 1, show: 12 };
    expect(latenciesMoved(undefined, latency)).toBe(true);
    expect(latenciesMoved(latency, { showServer: 90, obsWebsocket: 40, show: 200 })).toBe(false);
    expect(latenciesMoved(latency, { ...latency, show: 900 })).toBe(true);
    expect(latenciesMoved(latency, { showServer: 3, show: 12 })).toBe(true);
    expect(latenciesMoved(latency, { ...latency, nimble: 2 })).toBe(true);
  });
});

describe('latencyMoved', () => {
  it('treats appearing or vanishing latency as a change', () => {
    expect(latencyMoved(null, 10)).toBe(true);
    expect(latencyMoved(10, undefined)).toBe(true);
    expect(latencyMoved(undefined, null)).toBe(false);
  });
});

describe('metricsMoved', () => {
  it('writes the first sample', () => {
    expect(metricsMoved(undefined, metrics)).toEqual(['first sample']);
  });

  it('stays quiet for idle wobble', () => {
    const wobble = {
      ...metrics,
      cpuPercent: 27,
      load1: 0.6,
      memUsedPercent: 43,
      netRxBps: 1_100_000,
      uptimeSeconds: 1030,
    };
    expect(metricsMoved(metrics, wobble)).toEqual([]);
  });

  it('names every metric that moved past its threshold', () => {
    const busy = {
      ...metrics,
      cpuPercent: 80,
      memUsedPercent: 50,
      diskUsedPercent: 31,
      netTxBps: 9_000_000,
    };
    expect(metricsMoved(metrics, busy)).toEqual([
      'cpuPercent',
      'memUsedPercent',
      'diskUsedPercent',
      'netTxBps',
    ]);
  });

  it('ignores large relative changes of tiny network rates', () => {
    expect(metricsMoved({ ...metrics, netRxBps: 100 }, { ...metrics, netRxBps: 5000 })).toEqual([]);
  });

  it('notices a reboot through uptime going backwards', () => {
    expect(metricsMoved(metrics, { ...metrics, uptimeSeconds: 10 })).toEqual([
      'uptimeSeconds (rebooted)',
    ]);
  });
});

const stream: StreamReport = {
  active: true,
  reconnecting: false,
  bitrateKbps: 2500,
  droppedFramesPercent: 0.2,
  congestion: 0.02,
  durationSeconds: 600,
  checkedAt: 1000,
};

const obs: ObsReport = {
  connected: true,
  version: '29.0.2',
  activeFps: 30,
  renderSkippedFramesPercent: 0,
  cpuUsage: 20,
  memoryMb: 400,
  currentScene: 'Floor',
  recording: false,
  checkedAt: 1000,
};

describe('streamMoved', () => {
  it('writes the first sample and every change of state', () => {
    expect(streamMoved(undefined, stream)).toEqual(['first sample']);
    expect(
      streamMoved(stream, { ...stream, active: false, reconnecting: true, bitrateKbps: 0 }),
    ).toEqual(['active', 'reconnecting', 'bitrateKbps']);
  });

  it('stays quiet for encoder wobble and the passing of time', () => {
    const wobble = {
      ...stream,
      bitrateKbps: 2300,
      droppedFramesPercent: 0.9,
      congestion: 0.08,
      durationSeconds: 605,
      checkedAt: 6000,
    };
    expect(streamMoved(stream, wobble)).toEqual([]);
  });

  it('names bitrate, dropped frames and congestion moving past their thresholds', () => {
    expect(
      streamMoved(stream, {
        ...stream,
        bitrateKbps: 1200,
        droppedFramesPercent: 4,
        congestion: 0.3,
      }),
    ).toEqual(['bitrateKbps', 'droppedFramesPercent', 'congestion']);
  });

  it('ignores big relative changes of tiny bitrates', () => {
    expect(streamMoved({ ...stream, bitrateKbps: 20 }, { ...stream, bitrateKbps: 200 })).toEqual(
      [],
    );
  });
});

describe('obsMoved', () => {
  it('writes connection, scene, recording, version and detail changes at once', () => {
    expect(obsMoved(undefined, obs)).toEqual(['first sample']);
    expect(obsMoved(obs, { ...obs, currentScene: 'Vault', recording: true })).toEqual([
      'currentScene',
      'recording',
    ]);
    const down: ObsReport = {
      ...obs,
      connected: false,
      activeFps: null,
      renderSkippedFramesPercent: null,
      cpuUsage: null,
      memoryMb: null,
      currentScene: null,
      detail: 'connection lost',
    };
    expect(obsMoved(obs, down)).toEqual([
      'connected',
      'currentScene',
      'detail',
      'activeFps',
      'renderSkippedFramesPercent',
      'cpuUsage',
      'memoryMb',
    ]);
  });

  it('stays quiet for small changes of fps, CPU and memory', () => {
    expect(
      obsMoved(obs, { ...obs, activeFps: 29, cpuUsage: 27, memoryMb: 440, checkedAt: 9000 }),
    ).toEqual([]);
    expect(obsMoved(obs, { ...obs, activeFps: 20, cpuUsage: 45, memoryMb: 600 })).toEqual([
      'activeFps',
      'cpuUsage',
      'memoryMb',
    ]);
  });
});
