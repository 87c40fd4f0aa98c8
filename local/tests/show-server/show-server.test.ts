import { afterEach, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { startShowServer, type ShowServer } from '../../src/show-server';

const STATUS_FIELDS = [
  'currentSegmentIndex',
  'currentSegment',
  'nextSegment',
  'isPlaying',
  'isPaused',
  'talentLocked',
  'obsConnected',
  'obsCurrentScene',
  'obsIsStreaming',
  'obsIsRecording',
  'connectedClients',
  'showProgress',
  'segmentStartTime',
  'segmentElapsed',
].sort();

let server: ShowServer | undefined;
let socket: Socket | undefined;

afterEach(async () => {
  socket?.close();
  await server?.stop();
  server = undefined;
  socket = undefined;
});

async function status(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/api/status`);
  expect(response.status).toBe(200);
  // Browsers (the web app's connection test) read it from another origin.
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
  return (await response.json()) as Record<string, unknown>;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Connects to the OBS stand-in and resolves with Hello, or rejects with the error. */
function obsHello(url: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'obswebsocket.json');
    socket.once('message', (data) => {
      socket.close();
      resolve((JSON.parse(data.toString()) as { d: Record<string, unknown> }).d);
    });
    socket.once('error', reject);
  });
}

describe('stand-in show server', () => {
  it('serves /api/status with the real field list and counts socket.io clients', async () => {
    server = await startShowServer({ port: 0 });
    const first = await status(server.url);
    expect(Object.keys(first).sort()).toEqual(STATUS_FIELDS);
    expect(first.obsConnected).toBe(true);
    expect(first.connectedClients).toEqual([]);
    expect(first.showProgress).toEqual({ completed: 0, total: 4 });

    socket = connect(server.url, {
      query: { name: 'producer', role: 'producer' },
      transports: ['websocket'],
    });
    await waitFor(
      async () => ((await status(server!.url)).connectedClients as unknown[]).length === 1,
    );
    const clients = (await status(server.url)).connectedClients as Array<Record<string, unknown>>;
    expect(clients[0]?.name).toBe('producer');
  });

  it('switches OBS state through the control endpoint and rejects bad bodies', async () => {
    server = await startShowServer({ port: 0 });
    const post = (body: unknown) =>
      fetch(`${server!.url}/__control/obs`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post({ streaming: true, recording: true, scene: 'Floor' })).status).toBe(200);
    const live = await status(server.url);
    expect([live.obsIsStreaming, live.obsIsRecording, live.obsCurrentScene]).toEqual([
      true,
      true,
      'Floor',
    ]);

    const bad = await post({ streaming: 'yes', volume: 3 });
    expect(bad.status).toBe(400);
    const { error } = (await bad.json()) as { error: string };
    expect(error).toContain('streaming must be a boolean');
    expect(error).toContain('unknown field volume');

    expect((await post({ connected: false })).status).toBe(200);
    const down = await status(server.url);
    expect([down.obsConnected, down.obsIsStreaming, down.obsCurrentScene]).toEqual([
      false,
      false,
      null,
    ]);
  });

  it('restarts OBS: disconnected first, then back with streaming off', async () => {
    server = await startShowServer({ port: 0, obsRestartMs: 300, obs: { streaming: true } });
    const restarting = fetch(`${server.url}/__control/obs/restart`, { method: 'POST' });
    await waitFor(async () => (await status(server!.url)).obsConnected === false);
    expect((await restarting).status).toBe(200);
    const after = await status(server.url);
    expect([after.obsConnected, after.obsIsStreaming]).toEqual([true, false]);
  });

  it('restarts itself: drops connections, is unreachable, then serves on the same port', async () => {
    server = await startShowServer({ port: 0 });
    const restarting = server.restart(500);
    await expect(fetch(`${server.url}/api/status`)).rejects.toThrow();
    await restarting;
    expect((await status(server.url)).obsConnected).toBe(true);
  });

  it('runs the OBS stand-in beside it, which OBS down closes and OBS up opens again', async () => {
    server = await startShowServer({ port: 0, obsRestartMs: 300 });
    expect(server.obsWebsocketUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(await obsHello(server.obsWebsocketUrl)).toEqual({
      obsWebSocketVersion: '5.1.0',
      rpcVersion: 1,
    });
    const post = (body: unknown) =>
      fetch(`${server!.url}/__control/obs`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post({ connected: false })).status).toBe(200);
    await expect(obsHello(server.obsWebsocketUrl)).rejects.toThrow(/ECONNREFUSED/);
    expect((await status(server.url)).obsConnected).toBe(false);
    expect((await post({ connected: true })).status).toBe(200);
    expect((await obsHello(server.obsWebsocketUrl)).rpcVersion).toBe(1);

    // An OBS restart drops the websocket too, and brings it back.
    const open = new WebSocket(server.obsWebsocketUrl, 'obswebsocket.json');
    await new Promise((resolve, reject) => {
      open.once('message', resolve);
      open.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => open.once('close', (code) => resolve(code)));
    await fetch(`${server.url}/__control/obs/restart`, { method: 'POST' });
    expect(await closed).toBe(1001);
    expect((await obsHello(server.obsWebsocketUrl)).rpcVersion).toBe(1);
  });

  it('takes the stream switches: ingest lost keeps the show server saying streaming', async () => {
    server = await startShowServer({ port: 0 });
    const post = (body: unknown) =>
      fetch(`${server!.url}/__control/obs`, { method: 'POST', body: JSON.stringify(body) });
    const response = await post({ streaming: true, ingestLost: true, droppedFramesPercent: 4 });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { obs: Record<string, unknown> }).obs).toMatchObject({
      streaming: true,
      ingestLost: true,
      droppedFramesPercent: 4,
    });
    // The show server relays OBS's outputActive, which stays true while OBS reconnects.
    expect((await status(server.url)).obsIsStreaming).toBe(true);
    const bad = await post({ ingestLost: 'maybe', droppedFramesPercent: 101 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe(
      'ingestLost must be a boolean; droppedFramesPercent must be a number in 0..100',
    );
  });
});
