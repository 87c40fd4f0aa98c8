// The real OBS (Debian obs-studio 29, obs-websocket 5.1) headless under Xvfb, streaming to a
// local ffmpeg RTMP ingest, started once for the whole file. It checks two things:
// 1. the local OBS stand-in answers the agent's requests like the real OBS does (shapes,
//    values that must agree, error codes and texts, close codes, the ingest-loss facts);
// 2. the agent over a real connection: an active stream with a bitrate, a killed ingest
//    reported within two samples, the live preview, and a killed OBS reported as not
//    connected with the stream inactive;
// 3. the control plane's own agent trigger (the local functions host over the same local RTDB)
//    raising the critical "OBS gone while streaming" alert when OBS is killed mid-stream.
// Slow by nature (OBS needs ~20-60 s to start on a loaded 2-core machine); nothing skipped.
import { ServerValue } from 'firebase-admin/database';
import { startLocalFunctionsHost, type LocalFunctionsHost } from '@vmpool/functions/host';
import { MemoryCompute } from '@vmpool/functions/memory';
import { memoryLogger } from '@vmpool/core/ports';
import WebSocket from 'ws';
import {
  parsePreview,
  parseVmRecord,
  paths,
  PREVIEW_MAX_BYTES,
  streamAlertSourceIds,
  type Alert,
  type ObsStatus,
  type Preview,
  type StreamStatus,
} from '@vmpool/core';
import { startShowServer, type ShowServer } from '@vmpool/local/show-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObsClient, ObsRequestError } from '../src/obs/client';
import { authenticationString, OBS_SUBPROTOCOL } from '../src/obs/protocol';
import { jpegSize } from '../src/preview/jpeg-size';
import {
  startIngest,
  startRealObsSession,
  type Managed,
  type RealObs,
  type RealObsSession,
} from './support/real-obs';
import {
  killAgent,
  startRegisteredAgent,
  startStack,
  waitForValue,
  type AgentProcess,
  type TestStack,
} from './support/stack';

const STANDIN_PASSWORD = 'stand-in password';
/** The agent's default sampling interval: "within two samples" is judged at it. */
const STREAM_INTERVAL_MS = 5000;
const LONG = 180_000;

let session: RealObsSession;
let obs: RealObs;
let standIn: ShowServer;
let real: ObsClient;
let stand: ObsClient;
const realEvents: { eventType: string; eventData: unknown }[] = [];
const standEvents: { eventType: string; eventData: unknown }[] = [];

beforeAll(async () => {
  session = await startRealObsSession({
    eventSubscriptions: 64 | 4 | 1,
    onEvent: (eventType, eventData) => realEvents.push({ eventType, eventData }),
  });
  ({ obs, client: real } = session);
  standIn = await startShowServer({ port: 0, obsWebsocketPassword: STANDIN_PASSWORD });
  stand = await ObsClient.connect({
    url: standIn.obsWebsocketUrl,
    password: STANDIN_PASSWORD,
    eventSubscriptions: 64 | 4 | 1,
    timeoutMs: 10_000,
    onEvent: (eventType, eventData) => standEvents.push({ eventType, eventData }),
  });
}, LONG);

afterAll(async () => {
  stand?.close();
  await standIn?.stop();
  await session?.stop();
}, LONG);

/** The structure of a value: keys and JSON types, recursively (arrays by their first item). */
function shapeOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? ['empty'] : [shapeOf(value[0])];
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((key) => [key, shapeOf((value as Record<string, unknown>)[key])]),
    );
  }
  return typeof value;
}

type Outcome =
  { ok: true; data: Record<string, unknown> } | { ok: false; code: number; message: string };

async function outcome(
  client: ObsClient,
  requestType: string,
  requestData?: Record<string, unknown>,
): Promise<Outcome> {
  try {
    return { ok: true, data: await client.call(requestType, requestData) };
  } catch (error) {
    if (error instanceof ObsRequestError)
      return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

/** Opens a raw session, sends `script` after Hello (and, if `identify`, after Identified). */
function rawSession(
  url: string,
  password: string,
  script: { identify: 'good' | 'wrong' | 'none' | 'rpc2'; send: unknown[] },
): Promise<{ code: number; reason: string; hello: Record<string, unknown> | null }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, OBS_SUBPROTOCOL);
    let hello: Record<string, unknown> | null = null;
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no close from ${url} within 15 s`));
    }, 15_000);
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { op: number; d: Record<string, unknown> };
      if (message.op === 0) {
        hello = message.d;
        if (script.identify === 'none') {
          for (const item of script.send)
            socket.send(typeof item === 'string' ? item : JSON.stringify(item));
          return;
        }
        const auth = message.d.authentication as { salt: string; challenge: string };
        socket.send(
          JSON.stringify({
            op: 1,
            d: {
              rpcVersion: script.identify === 'rpc2' ? 2 : 1,
              authentication: authenticationString(
                script.identify === 'wrong' ? `${password}x` : password,
                auth.salt,
                auth.challenge,
              ),
            },
          }),
        );
      } else if (message.op === 2) {
        for (const item of script.send)
          socket.send(typeof item === 'string' ? item : JSON.stringify(item));
      }
    });
    socket.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString(), hello });
    });
    socket.on('error', () => undefined);
  });
}

describe('the OBS stand-in answers like OBS 29.0.2 / obs-websocket 5.1.0', () => {
  it('says hello the same way and identifies the same way', async () => {
    expect(shapeOf(stand.hello)).toEqual(shapeOf(real.hello));
    expect(stand.hello.obsWebSocketVersion).toBe(real.hello.obsWebSocketVersion);
    expect(stand.hello.rpcVersion).toBe(real.hello.rpcVersion);
  });

  it('answers the requests the agent makes with the same shapes and the same fixed values', async () => {
    const requests: [string, Record<string, unknown>?][] = [
      ['GetVersion'],
      ['GetStats'],
      ['GetStreamStatus'],
      ['GetRecordStatus'],
      ['GetCurrentProgramScene'],
      ['GetSceneList'],
      ['GetVideoSettings'],
    ];
    for (const [requestType, requestData] of requests) {
      const [a, b] = await Promise.all([
        outcome(real, requestType, requestData),
        outcome(stand, requestType, requestData),
      ]);
      expect(b.ok, requestType).toBe(true);
      expect(a.ok, requestType).toBe(true);
      if (!a.ok || !b.ok) continue;
      expect(shapeOf(b.data), requestType).toEqual(shapeOf(a.data));
      if (requestType === 'GetVersion') {
        expect(b.data.obsVersion).toBe(a.data.obsVersion);
        expect(b.data.obsWebSocketVersion).toBe(a.data.obsWebSocketVersion);
        expect(b.data.rpcVersion).toBe(a.data.rpcVersion);
        expect(a.data.supportedImageFormats).toEqual(
          expect.arrayContaining(b.data.supportedImageFormats as string[]),
        );
        expect(a.data.availableRequests).toEqual(
          expect.arrayContaining(b.data.availableRequests as string[]),
        );
      }
      // Idle outputs: every figure is the same zero, false or 00:00:00.000.
      if (requestType === 'GetStreamStatus' || requestType === 'GetRecordStatus')
        expect(b.data, requestType).toEqual(a.data);
    }
  });

  it('makes screenshots the same way: a JPEG data URL, the other side from the aspect ratio', async () => {
    const sceneOf = async (client: ObsClient) =>
      (await client.call<{ currentProgramSceneName: string }>('GetCurrentProgramScene'))
        .currentProgramSceneName;
    const [realScene, standScene] = await Promise.all([sceneOf(real), sceneOf(stand)]);
    for (const size of [{ imageWidth: 320 }, { imageHeight: 100 }]) {
      const shots = await Promise.all(
        [
          [real, realScene],
          [stand, standScene],
        ].map(async ([client, sourceName]) => {
          const { imageData } = await (client as ObsClient).call<{ imageData: string }>(
            'GetSourceScreenshot',
            { sourceName, imageFormat: 'jpg', imageCompressionQuality: 70, ...size },
          );
          expect(imageData.startsWith('data:image/jpg;base64,')).toBe(true);
          return jpegSize(Buffer.from(imageData.slice(imageData.indexOf(',') + 1), 'base64'));
        }),
      );
      // Both canvases are 16:9 (640x360 real, 1280x720 stand-in).
      expect(shots[1]).toEqual(shots[0]);
    }
    expect(
      await outcome(real, 'GetSourceScreenshot', {
        sourceName: realScene,
        imageFormat: 'jpg',
        imageWidth: 320,
      }),
    ).toMatchObject({ ok: true });
  });

  it('fails bad requests with the same codes and texts', async () => {
    const cases = (scene: string): [string, Record<string, unknown>?][] => [
      ['GetSourceScreenshot', { imageFormat: 'jpg' }],
      ['GetSourceScreenshot', { sourceName: scene }],
      ['GetSourceScreenshot', { sourceName: scene, imageFormat: 'gif' }],
      ['GetSourceScreenshot', { sourceName: 'No such scene', imageFormat: 'jpg' }],
      ['GetSourceScreenshot', { sourceName: scene, imageFormat: 'jpg', imageWidth: 4 }],
      [
        'GetSourceScreenshot',
        { sourceName: scene, imageFormat: 'jpg', imageCompressionQuality: 150 },
      ],
      ['NoSuchRequest'],
    ];
    const realScene = 'Scene';
    const standScene = 'Starting Soon';
    const realCases = cases(realScene);
    const standCases = cases(standScene);
    for (const [index, [requestType, requestData]] of realCases.entries()) {
      const [a, b] = await Promise.all([
        outcome(real, requestType, requestData),
        outcome(stand, requestType, standCases[index]?.[1]),
      ]);
      expect(a.ok, JSON.stringify(requestData)).toBe(false);
      if (a.ok || b.ok) {
        expect(b).toEqual(a);
        continue;
      }
      expect(b.code, JSON.stringify(requestData)).toBe(a.code);
      expect(b.message.replaceAll(standScene, realScene)).toBe(a.message);
    }
  });

  it('answers a RequestBatch the same way', async () => {
    const requests = [
      { requestType: 'GetRecordStatus' },
      { requestType: 'NoSuchRequest' },
      { requestType: 'GetStreamStatus', requestId: 'inner' },
    ];
    const [a, b] = await Promise.all([real.batch(requests), stand.batch(requests)]);
    expect(shapeOf(b)).toEqual(shapeOf(a));
    expect(b.map((result) => [result.requestType, result.requestId, result.requestStatus])).toEqual(
      a.map((result) => [result.requestType, result.requestId, result.requestStatus]),
    );
  });

  it('closes misbehaving sessions with the same codes and reasons', async () => {
    const scripts = [
      { identify: 'wrong' as const, send: [] },
      { identify: 'rpc2' as const, send: [] },
      {
        identify: 'none' as const,
        send: [{ op: 6, d: { requestType: 'GetVersion', requestId: 'x' } }],
      },
      { identify: 'good' as const, send: [{ op: 1, d: { rpcVersion: 1 } }] },
      { identify: 'good' as const, send: [{ op: 6, d: { requestType: 'GetVersion' } }] },
    ];
    for (const script of scripts) {
      const [a, b] = await Promise.all([
        rawSession(obs.url, obs.password, script),
        rawSession(standIn.obsWebsocketUrl, STANDIN_PASSWORD, script),
      ]);
      expect(b.code, JSON.stringify(script)).toBe(a.code);
      expect(b.reason, JSON.stringify(script)).toBe(a.reason);
    }
    // Missing authentication entirely (`identify` without the field).
    const missing = await Promise.all(
      [obs.url, standIn.obsWebsocketUrl].map(
        (url) =>
          new Promise<number>((resolve) => {
            const socket = new WebSocket(url, OBS_SUBPROTOCOL);
            socket.on('message', () =>
              socket.send(JSON.stringify({ op: 1, d: { rpcVersion: 1 } })),
            );
            socket.on('close', (code) => resolve(code));
            socket.on('error', () => undefined);
          }),
      ),
    );
    expect(missing[1]).toBe(missing[0]);
  });
});

describe('the agent with the real OBS', () => {
  let stack: TestStack;
  let agent: AgentProcess;
  let ingest: Managed | undefined;
  const VM = 'vm-401';
  const STREAM = `vmPool/vms/${VM}/agent/stream`;
  const OBS = `vmPool/vms/${VM}/agent/obs`;

  let controlPlane: LocalFunctionsHost | undefined;
  const hostLog = memoryLogger();
  const COMPETITION = 'meet-401';

  beforeAll(async () => {
    stack = await startStack();
    agent = await startRegisteredAgent(stack, VM, [
      '--obs-websocket-url',
      obs.url,
      '--obs-websocket-password',
      obs.password,
      '--stream-interval-ms',
      String(STREAM_INTERVAL_MS),
    ]);
    // The VM serves a competition, and the control plane's triggers run over this database.
    const now = Date.now();
    await stack.admin.ref(paths.competitionConfig(COMPETITION)).set({ eventName: 'Meet 401' });
    await stack.admin.ref(paths.vm(VM)).update({
      status: 'assigned',
      statusReason: 'assigned for the real-OBS test',
      statusChangedAt: now,
      ec2State: 'running',
      totalAssignments: 1,
      assignedTo: COMPETITION,
      assignedAt: now,
    });
    const record = (await stack.admin.ref(paths.vm(VM)).get()).val() as unknown;
    expect(parseVmRecord(record)).toMatchObject({ ok: true });
    controlPlane = await startLocalFunctionsHost({
      databaseUrl: stack.databaseUrl,
      compute: new MemoryCompute({ clock: { now: () => Date.now() } }),
      reconcileIntervalMs: 0,
      logger: hostLog,
    });
  }, LONG);

  afterAll(async () => {
    await ingest?.kill();
    if (agent) await killAgent(agent);
    await controlPlane?.stop();
    await stack?.stop();
  }, LONG);

  it(
    'reports OBS connected with its version and program scene',
    async () => {
      const status = await waitForValue<ObsStatus>(
        stack.admin,
        OBS,
        (value) => value?.connected === true,
        LONG,
        agent,
      );
      expect(status).toMatchObject({ version: '29.0.2', currentScene: 'Scene', recording: false });
      expect(status.activeFps).toBeGreaterThan(0);
      expect(status.memoryMb).toBeGreaterThan(50);
    },
    LONG,
  );

  it(
    'reports an active stream with a bitrate',
    async () => {
      ingest = await startIngest(obs.ingestPort, obs.streamKey);
      await real.call('StartStream');
      const live = await waitForValue<StreamStatus>(
        stack.admin,
        STREAM,
        (value) => value?.active === true && (value.bitrateKbps ?? 0) > 0,
        LONG,
        agent,
      );
      // Simple output at 800 kbit/s video and 96 kbit/s audio; x264 under llvmpipe varies.
      expect(live.bitrateKbps).toBeGreaterThan(100);
      expect(live.bitrateKbps).toBeLessThan(5000);
      expect(live.reconnecting).toBe(false);
      expect(live.droppedFramesPercent).toBeGreaterThanOrEqual(0);
    },
    LONG,
  );

  it(
    'reports the killed ingest as not streaming, reconnecting, bitrate 0, within two samples',
    async () => {
      realEvents.length = 0;
      const killedAt = Date.now();
      await ingest?.kill('SIGKILL');
      const lost = await waitForValue<StreamStatus>(
        stack.admin,
        STREAM,
        (value) => value?.reconnecting === true,
        LONG,
        agent,
      );
      expect(lost.active).toBe(false);
      expect(lost.bitrateKbps ?? 0).toBe(0);
      // Two samples at the agent's default interval; OBS needs a moment to notice the dead
      // socket, so a further interval of slack for a loaded machine.
      expect(lost.checkedAt - killedAt).toBeLessThanOrEqual(3 * STREAM_INTERVAL_MS);
      // The facts the stand-in copies: OBS stays active and reconnecting with its bytes at 0,
      // and says so with StreamStateChanged.
      // (For a moment after the loss OBS still shows the old byte count; then it drops to 0.)
      let status = await real.call<Record<string, unknown>>('GetStreamStatus');
      for (let i = 0; i < 60 && status.outputBytes !== 0; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        status = await real.call<Record<string, unknown>>('GetStreamStatus');
      }
      expect(status).toMatchObject({
        outputActive: true,
        outputReconnecting: true,
        outputBytes: 0,
      });
      const reconnecting = realEvents.find(
        (event) =>
          event.eventType === 'StreamStateChanged' &&
          (event.eventData as { outputState?: string }).outputState ===
            'OBS_WEBSOCKET_OUTPUT_RECONNECTING',
      );
      expect(reconnecting).toBeDefined();
      await standIn.setObs({ streaming: true });
      await standIn.setObs({ ingestLost: true });
      const standStatus = await stand.call<Record<string, unknown>>('GetStreamStatus');
      expect(shapeOf(standStatus)).toEqual(shapeOf(status));
      expect(standStatus).toMatchObject({
        outputActive: true,
        outputReconnecting: true,
        outputBytes: 0,
      });
      // Events arrive over the socket after the call that caused them: wait for it.
      const isReconnecting = (event: { eventType: string; eventData: unknown }) =>
        event.eventType === 'StreamStateChanged' &&
        (event.eventData as { outputState?: string }).outputState ===
          'OBS_WEBSOCKET_OUTPUT_RECONNECTING';
      for (let i = 0; i < 50 && !standEvents.some(isReconnecting); i += 1)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(standEvents.find(isReconnecting)?.eventData).toEqual(reconnecting?.eventData);
    },
    LONG,
  );

  it(
    'publishes a preview of the real program while someone watches',
    async () => {
      await stack.admin.ref(`vmPool/vms/${VM}/watchers/u-admin`).set(ServerValue.TIMESTAMP);
      const preview = await waitForValue<Preview>(
        stack.admin,
        `vmPool/previews/${VM}`,
        (value) => value !== null,
        LONG,
        agent,
      );
      expect(parsePreview(preview)).toMatchObject({ ok: true });
      expect(preview).toMatchObject({ width: 320, height: 180, scene: 'Scene' });
      expect(preview.bytes).toBeLessThanOrEqual(PREVIEW_MAX_BYTES);
      await stack.admin.ref(`vmPool/vms/${VM}/watchers/u-admin`).remove();
    },
    LONG,
  );

  it(
    'reports OBS killed mid-stream as not connected, the stream inactive, and keeps running',
    async () => {
      // The ingest is back: OBS reconnects on its own and the stream is live again.
      ingest = await startIngest(obs.ingestPort, obs.streamKey);
      await waitForValue<StreamStatus>(
        stack.admin,
        STREAM,
        (value) => value?.active === true,
        LONG,
        agent,
      );
      await obs.kill('SIGKILL');
      const down = await waitForValue<ObsStatus>(
        stack.admin,
        OBS,
        (value) => value?.connected === false,
        LONG,
        agent,
      );
      expect(down.detail).toBeTruthy();
      const stream = await waitForValue<StreamStatus>(
        stack.admin,
        STREAM,
        (value) => value?.active === false && value.reconnecting !== true,
        LONG,
        agent,
      );
      expect(stream.bitrateKbps ?? 0).toBe(0);
      expect(agent.child.exitCode).toBeNull();
      expect(agent.output()).toContain('OBS connection lost');
      // The control plane's agent trigger saw OBS vanish from a live stream: critical, in the
      // competition's alerts, once.
      const sourceId = streamAlertSourceIds.obsGoneWhileStreaming(VM);
      const alerts = await waitForValue<Record<string, Alert>>(
        stack.admin,
        paths.alerts(COMPETITION),
        (value) =>
          Object.values(value ?? {}).some(
            (alert) => alert.sourceId === sourceId && !alert.resolved,
          ),
        LONG,
        agent,
      );
      await controlPlane?.idle();
      const raised = Object.values(alerts).filter((alert) => alert.sourceId === sourceId);
      expect(raised).toHaveLength(1);
      expect(raised[0]).toMatchObject({
        level: 'critical',
        category: 'obs',
        vmId: VM,
        competitionId: COMPETITION,
        resolved: false,
        autoResolve: true,
      });
      expect(raised[0]?.message).toContain(VM);
      expect(hostLog.lines.filter((line) => line.level === 'error')).toEqual([]);
    },
    LONG,
  );
});
