// The agent watches OBS itself over obs-websocket (here the local stand-in, over a real
// connection with a password): stream health, OBS stats, OBS going away, and the live
// preview that is captured only while someone watches.
import { ServerValue } from 'firebase-admin/database';
import {
  parsePreview,
  PREVIEW_INTERVAL_MS,
  PREVIEW_MAX_BYTES,
  WATCHER_TTL_MS,
  type ObsStatus,
  type Preview,
  type StreamStatus,
} from '@vmpool/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_THRESHOLDS } from '../src/report/changes';
import {
  killAgent,
  startRegisteredAgent,
  startStack,
  waitForValue,
  type AgentProcess,
  type TestStack,
} from './support/stack';

const PASSWORD = 'stand-in secret: not a real one';
const VM = 'vm-301';
const STREAM = `vmPool/vms/${VM}/agent/stream`;
const OBS = `vmPool/vms/${VM}/agent/obs`;
const PREVIEW = `vmPool/previews/${VM}`;
const INTERVAL_MS = 500;

let stack: TestStack;
let agent: AgentProcess;
beforeAll(async () => {
  stack = await startStack({ obsWebsocketPassword: PASSWORD });
  agent = await startRegisteredAgent(stack, VM, [
    '--stream-interval-ms',
    String(INTERVAL_MS),
    '--obs-websocket-password',
    PASSWORD,
  ]);
  // The agent's first OBS report is part of starting it (a loaded machine takes a while),
  // not of the first test's wait.
  await waitForValue<ObsStatus>(stack.admin, OBS, (v) => v?.connected === true, 100_000, agent);
});
afterAll(async () => {
  await killAgent(agent);
  await stack.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const screenshots = () => stack.show.obsRequestCounts().GetSourceScreenshot ?? 0;

describe('stream health over obs-websocket', () => {
  it('reports OBS with its version, scene and stats, and an idle stream', async () => {
    const obs = await waitForValue<ObsStatus>(
      stack.admin,
      OBS,
      (value) => value?.connected === true,
      30_000,
      agent,
    );
    expect(obs).toMatchObject({
      version: '29.0.2',
      activeFps: 30,
      currentScene: 'Starting Soon',
      recording: false,
      renderSkippedFramesPercent: 0,
    });
    expect(obs.cpuUsage).toBeGreaterThan(0);
    expect(obs.memoryMb).toBeGreaterThan(300);
    const stream = await waitForValue<StreamStatus>(stack.admin, STREAM, (v) => v !== null);
    expect(stream).toMatchObject({ active: false, reconnecting: false });
    expect(stream.bitrateKbps ?? 0).toBe(0);
    expect(agent.output()).toContain('connected to OBS');
  });

  it('reports a live stream with its bitrate, and scene and recording changes', async () => {
    await stack.show.setObs({
      streaming: true,
      bitrateKbps: 3000,
      scene: 'Floor',
      recording: true,
    });
    const live = await waitForValue<StreamStatus>(
      stack.admin,
      STREAM,
      (stream) => stream?.active === true && (stream.bitrateKbps ?? 0) > 0,
      30_000,
      agent,
    );
    expect(live.reconnecting).toBe(false);
    // The stand-in sends exactly 3000 kbit/s; the agent's figure comes from its byte counter.
    expect(live.bitrateKbps).toBeGreaterThan(2700);
    expect(live.bitrateKbps).toBeLessThan(3300);
    await waitForValue<ObsStatus>(
      stack.admin,
      OBS,
      (obs) => obs?.currentScene === 'Floor' && obs.recording === true,
      30_000,
      agent,
    );
  });

  it('reports a lost ingest as not streaming and reconnecting, bitrate 0, within two samples', async () => {
    const lostAt = Date.now();
    await stack.show.setObs({ ingestLost: true });
    const lost = await waitForValue<StreamStatus>(
      stack.admin,
      STREAM,
      (stream) => stream?.reconnecting === true,
      30_000,
      agent,
    );
    expect(lost.active).toBe(false);
    expect(lost.bitrateKbps ?? 0).toBe(0);
    // Two samples are 1 s here (the StreamStateChanged event makes it sooner); 2 s of slack
    // for a loaded machine.
    expect(lost.checkedAt - lostAt).toBeLessThan(2 * INTERVAL_MS + 2000);
  });

  it('reports dropped frames of the new connection after the ingest is back', async () => {
    await stack.show.setObs({ droppedFramesPercent: 8, ingestLost: false });
    const dropping = await waitForValue<StreamStatus>(
      stack.admin,
      STREAM,
      // The counters are whole frames, so the first samples of the new connection may be off
      // by a frame (a few percent); the figure settles at 8 as the window fills, and the agent
      // writes it again only once it moved by the reporter's threshold (a first 7.1 stays).
      (stream) =>
        stream?.active === true &&
        Math.abs((stream.droppedFramesPercent ?? 0) - 8) <
          DEFAULT_STREAM_THRESHOLDS.framesPercentPoints,
      30_000,
      agent,
    );
    expect(dropping.congestion).toBeGreaterThan(0);
    await stack.show.setObs({ droppedFramesPercent: 0 });
  });

  it('reports OBS going down as not connected and the stream inactive, and OBS coming back', async () => {
    await stack.show.setObs({ connected: false });
    const down = await waitForValue<ObsStatus>(
      stack.admin,
      OBS,
      (obs) => obs?.connected === false,
      30_000,
      agent,
    );
    expect(down.detail).toBeTruthy();
    expect(down.activeFps ?? null).toBeNull();
    const stream = await waitForValue<StreamStatus>(
      stack.admin,
      STREAM,
      (value) => value?.active === false && value.reconnecting === false,
      30_000,
      agent,
    );
    expect(stream.bitrateKbps ?? 0).toBe(0);
    expect(agent.child.exitCode).toBeNull();

    await stack.show.setObs({ connected: true });
    await waitForValue<ObsStatus>(
      stack.admin,
      OBS,
      (obs) => obs?.connected === true,
      60_000,
      agent,
    );
  });
});

describe('live preview', () => {
  it('captures and writes nothing while nobody watches', async () => {
    const before = screenshots();
    await sleep(PREVIEW_INTERVAL_MS + 1000);
    expect(screenshots()).toBe(before);
    expect((await stack.admin.ref(PREVIEW).get()).val()).toBeNull();
  });

  it('publishes the program every 5 s while someone watches, within the size limits', async () => {
    await stack.show.setObs({ scene: 'Vault' });
    await stack.admin.ref(`vmPool/vms/${VM}/watchers/u-admin`).set(ServerValue.TIMESTAMP);
    const first = await waitForValue<Preview>(
      stack.admin,
      PREVIEW,
      (v) => v !== null,
      30_000,
      agent,
    );
    const parsed = parsePreview(first);
    expect(parsed).toMatchObject({ ok: true });
    expect(first).toMatchObject({ width: 320, height: 180, scene: 'Vault' });
    expect(first.bytes).toBeLessThanOrEqual(PREVIEW_MAX_BYTES);
    expect(Buffer.from(first.image.split(',')[1] ?? '', 'base64').length).toBe(first.bytes);
    const second = await waitForValue<Preview>(
      stack.admin,
      PREVIEW,
      (v) => v !== null && v.capturedAt > first.capturedAt,
      30_000,
      agent,
    );
    // The test card shows a clock and a frame counter: every preview is a new picture.
    expect(second.image).not.toBe(first.image);
    // Paced by the interval, not captured continuously (a loaded machine delays one capture
    // more than the next, so not the exact interval).
    expect(second.capturedAt - first.capturedAt).toBeGreaterThanOrEqual(PREVIEW_INTERVAL_MS / 2);
  });

  it('lowers the JPEG quality until a busy picture fits 30 kB', async () => {
    await stack.show.setObs({ noise: true });
    const noisyFrom = Date.now();
    const noisy = await waitForValue<Preview>(
      stack.admin,
      PREVIEW,
      (v) => v !== null && v.capturedAt > noisyFrom + 500,
      30_000,
      agent,
    );
    expect(noisy.bytes).toBeLessThanOrEqual(PREVIEW_MAX_BYTES);
    // Noise is the worst case for JPEG: well above the clean card, just under the limit.
    expect(noisy.bytes).toBeGreaterThan(PREVIEW_MAX_BYTES / 2);
    await stack.show.setObs({ noise: false });
  });

  it('stops when the last watcher leaves, and does not count a stale entry', async () => {
    await stack.admin.ref(`vmPool/vms/${VM}/watchers/u-admin`).remove();
    await sleep(1000);
    const count = screenshots();
    const last = (await stack.admin.ref(PREVIEW).get()).val() as Preview;
    await sleep(PREVIEW_INTERVAL_MS + 1500);
    expect(screenshots()).toBe(count);
    expect(((await stack.admin.ref(PREVIEW).get()).val() as Preview).capturedAt).toBe(
      last.capturedAt,
    );

    // A leftover entry (its onDisconnect never ran) is older than the TTL: nobody is watching.
    await stack.admin
      .ref(`vmPool/vms/${VM}/watchers/u-gone`)
      .set(Date.now() - WATCHER_TTL_MS - 60_000);
    await sleep(PREVIEW_INTERVAL_MS + 1500);
    expect(screenshots()).toBe(count);
    expect(agent.output()).toContain('only stale watcher entries');
    await stack.admin.ref(`vmPool/vms/${VM}/watchers/u-gone`).remove();
  });
});

describe('OBS with a password the agent does not have', () => {
  it('reports authentication failed, never crashes', async () => {
    const vmId = 'vm-302';
    const wrong = await startRegisteredAgent(stack, vmId, [
      '--stream-interval-ms',
      String(INTERVAL_MS),
      '--obs-websocket-password',
      'not the password',
    ]);
    try {
      const obs = await waitForValue<ObsStatus>(
        stack.admin,
        `vmPool/vms/${vmId}/agent/obs`,
        (value) => value?.connected === false && /authentication/.test(value.detail ?? ''),
        30_000,
        wrong,
      );
      expect(obs.detail).toBe('authentication failed (wrong password)');
      expect(wrong.child.exitCode).toBeNull();
    } finally {
      await killAgent(wrong);
    }
  });
});
