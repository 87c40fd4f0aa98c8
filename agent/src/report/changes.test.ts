import { describe, expect, it } from 'vitest';
import { latencyMoved, metricsMoved, serviceChanged, showChanged } from './changes';
import type { MetricsReport, ShowReport } from './types';

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
  it('ignores checkedAt and latency noise, but not state, detail or a real latency jump', () => {
    const up = { state: 'up' as const, checkedAt: 1, port: 3003, latencyMs: 10 };
    expect(serviceChanged(undefined, up)).toBe(true);
    expect(serviceChanged(up, { ...up, checkedAt: 99, latencyMs: 60 })).toBe(false);
    expect(serviceChanged(up, { ...up, state: 'down' })).toBe(true);
    expect(serviceChanged(up, { ...up, detail: 'refused' })).toBe(true);
    expect(serviceChanged(up, { ...up, latencyMs: 900 })).toBe(true);
  });
});

describe('showChanged', () => {
  it('reacts to OBS and client changes, not to the time of the check', () => {
    expect(showChanged(show, { ...show, checkedAt: 5000, latencyMs: 40 })).toBe(false);
    expect(showChanged(show, { ...show, obsIsStreaming: true })).toBe(true);
    expect(showChanged(show, { ...show, connectedClients: 3 })).toBe(true);
    expect(showChanged(show, { ...show, obsCurrentScene: null })).toBe(true);
    expect(showChanged(show, { ...show, reachable: false, latencyMs: null })).toBe(true);
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
