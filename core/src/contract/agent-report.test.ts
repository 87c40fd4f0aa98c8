import { describe, expect, it } from 'vitest';
import { parseAgentReport } from './agent-report';

describe('parseAgentReport', () => {
  it('accepts a first heartbeat with only presence fields', () => {
    expect(parseAgentReport({ online: true, lastSeen: 100 })).toEqual({
      ok: true,
      value: {
        online: true,
        lastSeen: 100,
        bootId: '',
        version: '',
        startedAt: null,
        instanceId: '',
        region: '',
        availabilityZone: '',
        instanceType: '',
        publicIp: null,
        privateIp: null,
        services: {},
        show: null,
        metrics: null,
        stream: null,
        obs: null,
      },
    });
  });

  it('accepts a full report', () => {
    const report = {
      online: true,
      lastSeen: 100,
      bootId: 'b',
      version: '1.0.0',
      startedAt: 50,
      instanceId: 'i-0abc12345',
      region: 'us-east-1',
      availabilityZone: 'us-east-1a',
      instanceType: 't3.large',
      publicIp: '3.3.3.3',
      privateIp: '10.0.0.1',
      services: {
        showServer: { state: 'up', checkedAt: 99, port: 3003, latencyMs: 4 },
        noMachine: { state: 'down', checkedAt: 99, detail: 'ECONNREFUSED' },
      },
      show: {
        reachable: true,
        obsConnected: true,
        obsIsStreaming: false,
        obsIsRecording: true,
        obsCurrentScene: 'Intro',
        connectedClients: 2,
        latencyMs: 3,
        checkedAt: 99,
      },
      metrics: {
        cpuPercent: 12,
        load1: 0.5,
        memUsedPercent: 40,
        memUsedMb: 3200,
        memTotalMb: 8000,
        diskUsedPercent: 30,
        netRxBps: 1000,
        netTxBps: 2000,
        uptimeSeconds: 600,
        sampledAt: 98,
      },
      stream: {
        active: true,
        reconnecting: false,
        bitrateKbps: 2500,
        droppedFramesPercent: 0.4,
        congestion: 0.05,
        durationSeconds: 1800,
        checkedAt: 99,
      },
      obs: {
        connected: true,
        version: '29.0.2',
        activeFps: 30,
        renderSkippedFramesPercent: 0,
        cpuUsage: 12.5,
        memoryMb: 410,
        currentScene: 'Floor',
        recording: true,
        checkedAt: 99,
      },
    };
    expect(parseAgentReport(report)).toEqual({ ok: true, value: report });
  });

  it('rejects non-canonical service names and bad values', () => {
    expect(
      parseAgentReport({
        online: true,
        lastSeen: 1,
        services: { node: { state: 'up', checkedAt: 1 }, obs: { state: 'maybe', checkedAt: 1 } },
        metrics: { cpuPercent: 101 },
      }),
    ).toMatchObject({ ok: false });
    const parsed = parseAgentReport({ lastSeen: -5 });
    expect(parsed).toEqual({
      ok: false,
      errors: ['online: is required', 'lastSeen: must be >= 0'],
    });
  });

  it('reads stream and OBS sections as RTDB stores them: zeros and nulls may be missing', () => {
    const parsed = parseAgentReport({
      online: true,
      lastSeen: 100,
      stream: { active: false, reconnecting: true, checkedAt: 99 },
      obs: { connected: false, checkedAt: 99, detail: 'connect ECONNREFUSED 127.0.0.1:4455' },
    });
    expect(parsed).toMatchObject({
      ok: true,
      value: {
        stream: {
          active: false,
          reconnecting: true,
          bitrateKbps: 0,
          droppedFramesPercent: 0,
          congestion: 0,
          durationSeconds: 0,
          checkedAt: 99,
        },
        obs: {
          connected: false,
          version: null,
          activeFps: null,
          renderSkippedFramesPercent: null,
          cpuUsage: null,
          memoryMb: null,
          currentScene: null,
          recording: false,
          checkedAt: 99,
          detail: 'connect ECONNREFUSED 127.0.0.1:4455',
        },
      },
    });
  });

  it('rejects impossible stream and OBS figures, every one at once', () => {
    expect(
      parseAgentReport({
        online: true,
        lastSeen: 1,
        stream: {
          active: 'yes',
          bitrateKbps: -1,
          droppedFramesPercent: 101,
          congestion: 2,
          checkedAt: 1,
        },
        obs: { connected: true, activeFps: -30, renderSkippedFramesPercent: 150, checkedAt: 1.5 },
      }),
    ).toEqual({
      ok: false,
      errors: [
        'stream.active: must be true or false',
        'stream.bitrateKbps: must be >= 0',
        'stream.droppedFramesPercent: must be <= 100',
        'stream.congestion: must be <= 1',
        'obs.activeFps: must be >= 0',
        'obs.renderSkippedFramesPercent: must be <= 100',
        'obs.checkedAt: must be an integer',
      ],
    });
  });
});
