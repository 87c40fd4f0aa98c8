import { describe, expect, it } from 'vitest';
import { withPulse, type AgentReport } from '@vmpool/core';
import { splitLatencies } from './reporter';
import type { ServicesReport, ShowReport } from './types';

const up = (port?: number, latencyMs?: number) => ({
  state: 'up' as const,
  checkedAt: 1000,
  ...(port === undefined ? {} : { port }),
  ...(latencyMs === undefined ? {} : { latencyMs }),
});

const services: ServicesReport = {
  showServer: up(3003, 4),
  obsWebsocket: up(4455, 1),
  obs: up(),
  nimble: { state: 'down', checkedAt: 1000, port: 8080, detail: 'ECONNREFUSED' },
  noMachine: up(4000, 2),
  discord: up(),
  xvfb: up(),
};

const show: ShowReport = {
  reachable: true,
  obsConnected: true,
  obsIsStreaming: true,
  obsIsRecording: false,
  obsCurrentScene: 'Floor',
  connectedClients: 1,
  latencyMs: 12,
  checkedAt: 1000,
};

describe('splitLatencies (issue 17)', () => {
  it('keeps the state for the report and moves every measured latency to the pulse', () => {
    const split = splitLatencies(services, show);
    expect(split.latency).toEqual({ showServer: 4, obsWebsocket: 1, noMachine: 2, show: 12 });
    for (const status of Object.values(split.services))
      expect(status).not.toHaveProperty('latencyMs');
    expect(split.services.nimble).toEqual(services.nimble);
    expect(split.show).toEqual({ ...show, latencyMs: null });
  });

  it('gives readers the latencies back through withPulse, as before the split', () => {
    const split = splitLatencies(services, show);
    const report = {
      online: true,
      lastSeen: 1000,
      bootId: 'boot-1',
      version: '0.1.0',
      startedAt: 900,
      instanceId: 'i-1',
      region: 'us-east-1',
      availabilityZone: 'us-east-1a',
      instanceType: 't3.large',
      publicIp: null,
      privateIp: null,
      services: split.services,
      show: split.show,
      metrics: null,
      stream: null,
      obs: null,
    } satisfies AgentReport;
    const merged = withPulse(report, {
      bootId: 'boot-1',
      lastSeen: 2000,
      metrics: null,
      latency: split.latency,
    });
    expect(merged?.services).toEqual(services);
    expect(merged?.show).toEqual(show);
    // Another agent run's pulse is not merged.
    const other = withPulse(report, {
      bootId: 'boot-0',
      lastSeen: 2000,
      metrics: null,
      latency: split.latency,
    });
    expect(other?.services.showServer).not.toHaveProperty('latencyMs');
  });
});
