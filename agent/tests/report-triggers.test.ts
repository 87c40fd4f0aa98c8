// Issue 17: what reaches the triggered report (`vmPool/vms/{vmId}/agent`, watched by the
// control plane's onAgentWritten) and what goes to the pulse (watched by nothing). The reporter
// runs against the local RTDB server through the firebase web SDK, as on a VM.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { getDatabase, onValue, ref, set, type Database } from 'firebase/database';
import { paths } from '@vmpool/core';
import { memoryLogger } from '@vmpool/core/ports';
import { startRtdbServer, type RtdbServer } from '@vmpool/local/rtdb';
import { AgentReporter } from '../src/report/reporter';
import type {
  ObsReport,
  ServicesReport,
  ServiceStatus,
  ShowReport,
  StreamReport,
} from '../src/report/types';

const vmId = 'vm-001';
let rtdb: RtdbServer;
let app: FirebaseApp;
let db: Database;
let reporter: AgentReporter;
let agentWrites: unknown[];
let pulseWrites: unknown[];
const stops: (() => void)[] = [];

const up = (port?: number, latencyMs?: number) => ({
  state: 'up' as const,
  checkedAt: Date.now(),
  ...(port === undefined ? {} : { port }),
  ...(latencyMs === undefined ? {} : { latencyMs }),
});
const services = (
  latency: number,
  showServer: ServiceStatus = up(3003, latency),
): ServicesReport => ({
  showServer,
  obsWebsocket: up(4455, latency),
  obs: up(),
  nimble: up(8080, latency),
  noMachine: up(4000, latency),
  discord: up(),
  xvfb: up(),
});
const show = (latencyMs: number, reachable = true): ShowReport => ({
  reachable,
  obsConnected: true,
  obsIsStreaming: true,
  obsIsRecording: false,
  obsCurrentScene: 'Floor',
  connectedClients: 1,
  latencyMs,
  checkedAt: Date.now(),
});
const stream = (active: boolean): StreamReport => ({
  active,
  reconnecting: false,
  bitrateKbps: active ? 4000 : 0,
  droppedFramesPercent: 0,
  congestion: 0,
  durationSeconds: active ? 60 : 0,
  checkedAt: Date.now(),
});
const obs: ObsReport = {
  connected: true,
  version: '29.0.2',
  activeFps: 30,
  renderSkippedFramesPercent: 0,
  cpuUsage: 4,
  memoryMb: 380,
  currentScene: 'Floor',
  recording: false,
  checkedAt: Date.now(),
};

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i += 1) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
}

beforeEach(async () => {
  rtdb = await startRtdbServer({ port: 0, quiet: true });
  app = initializeApp(
    { databaseURL: rtdb.databaseUrl('report-triggers'), projectId: 'demo' },
    `reporter-${Date.now()}`,
  );
  db = getDatabase(app);
  await set(ref(db, `${paths.vm(vmId)}/status`), 'available');
  agentWrites = [];
  pulseWrites = [];
  stops.push(onValue(ref(db, paths.vmAgent(vmId)), (s) => agentWrites.push(s.val())));
  stops.push(onValue(ref(db, paths.vmPulse(vmId)), (s) => pulseWrites.push(s.val())));
  const clock = { now: () => Date.now() };
  reporter = new AgentReporter(
    db,
    vmId,
    {
      bootId: 'boot-1',
      version: '0.1.0',
      startedAt: Date.now(),
      instanceId: 'local-vm-001',
      region: 'local',
      availabilityZone: 'local-a',
      instanceType: 't3.large',
      publicIp: '127.0.0.1',
      privateIp: '127.0.0.1',
    },
    { heartbeatIntervalMs: 60_000, refreshIntervalMs: 3_600_000 },
    clock,
    memoryLogger(),
  );
  reporter.reportProbes(services(3), show(4));
  reporter.reportStream(stream(true), obs);
  reporter.start();
  await until(() => reporter.isConnected && pulseWrites.some((p) => p !== null));
  // Registered (both writes acknowledged): the report holds the state, the pulse the latencies.
  await until(() => (reporter as unknown as { registered: boolean }).registered);
});

afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  await reporter.goOffline(500);
  await deleteApp(app);
  await rtdb.stop();
});

describe('the agent report and its pulse (issue 17)', () => {
  it('keeps latencies out of the triggered report and in the pulse', async () => {
    const report = agentWrites.at(-1) as {
      services: Record<string, object>;
      show: { latencyMs: unknown };
    };
    for (const status of Object.values(report.services))
      expect(status).not.toHaveProperty('latencyMs');
    expect(report.show.latencyMs ?? null).toBeNull();
    expect((pulseWrites.at(-1) as { latency: unknown }).latency).toEqual({
      showServer: 3,
      obsWebsocket: 3,
      nimble: 3,
      noMachine: 3,
      show: 4,
    });
  });

  it('latency jitter writes the pulse only; a service going down, the show and the stream reach the report at once', async () => {
    const reportWrites = agentWrites.length;
    const pulses = pulseWrites.length;
    // A loaded VM: every latency jumps by far more than the noise, several times.
    for (const latency of [400, 5, 900, 20]) {
      reporter.reportProbes(services(latency), show(latency));
      reporter.reportStream(stream(true), obs);
    }
    await until(() => pulseWrites.length >= pulses + 4);
    expect((pulseWrites.at(-1) as { latency: { show: number } }).latency.show).toBe(20);
    expect(agentWrites.length).toBe(reportWrites);

    // A real state change: the show server goes down.
    reporter.reportProbes(
      services(20, { state: 'down', checkedAt: Date.now(), port: 3003, detail: 'ECONNREFUSED' }),
      show(20, false),
    );
    await until(() => agentWrites.length > reportWrites);
    const down = agentWrites.at(-1) as {
      services: { showServer: { state: string } };
      show: { reachable: boolean };
    };
    expect(down.services.showServer.state).toBe('down');
    expect(down.show.reachable).toBe(false);

    // The stream stops: at once as well.
    const beforeStream = agentWrites.length;
    reporter.reportStream(stream(false), obs);
    await until(() => agentWrites.length > beforeStream);
    expect((agentWrites.at(-1) as { stream: { active: boolean } }).stream.active).toBe(false);
  });
});
