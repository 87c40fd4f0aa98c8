// The agent's obs-websocket client against misbehaving servers on real sockets: the cases
// for which obs-websocket-js was not taken (agent/README.md) never leave the agent waiting.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { ObsClient, ObsConnectionError } from '../src/obs/client';

type Behaviour = (socket: WebSocket, message: { op: number; d: Record<string, unknown> }) => void;

let server: Server | undefined;
let wss: WebSocketServer | undefined;

afterEach(async () => {
  for (const client of wss?.clients ?? []) client.terminate();
  await new Promise((resolve) => (wss ? wss.close(resolve) : resolve(undefined)));
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  wss = undefined;
});

/** A server that says Hello (unless `hello` is false), identifies, then does `behaviour`. */
async function fakeObs(behaviour: Behaviour, options: { hello?: boolean; auth?: boolean } = {}) {
  server = createServer();
  wss = new WebSocketServer({ server, handleProtocols: () => 'obswebsocket.json' });
  wss.on('connection', (socket) => {
    if (options.hello !== false) {
      socket.send(
        JSON.stringify({
          op: 0,
          d: {
            obsWebSocketVersion: '5.1.0',
            rpcVersion: 1,
            ...(options.auth ? { authentication: { challenge: 'c', salt: 's' } } : {}),
          },
        }),
      );
    }
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { op: number; d: Record<string, unknown> };
      if (message.op === 1) socket.send(JSON.stringify({ op: 2, d: { negotiatedRpcVersion: 1 } }));
      else behaviour(socket, message);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `ws://127.0.0.1:${address.port}`;
}

const connect = (url: string, extra: { password?: string; timeoutMs?: number } = {}) =>
  ObsClient.connect({ url, eventSubscriptions: 0, timeoutMs: extra.timeoutMs ?? 1000, ...extra });

describe('ObsClient', () => {
  it('answers a request, and rejects one OBS never answers after its timeout', async () => {
    const url = await fakeObs((socket, message) => {
      if (message.d.requestType === 'GetVersion')
        socket.send(
          JSON.stringify({
            op: 7,
            d: {
              requestId: message.d.requestId,
              requestType: 'GetVersion',
              requestStatus: { result: true, code: 100 },
              responseData: { obsVersion: '29.0.2' },
            },
          }),
        );
    });
    const client = await connect(url);
    await expect(client.call('GetVersion')).resolves.toEqual({ obsVersion: '29.0.2' });
    await expect(client.call('GetStats', undefined, 300)).rejects.toThrow(
      'no answer within 300 ms',
    );
    client.close();
  });

  it('fails a pending request at once when the connection closes', async () => {
    const url = await fakeObs((socket) => setTimeout(() => socket.close(1001, 'bye'), 100));
    const client = await connect(url, { timeoutMs: 60_000 });
    const started = Date.now();
    await expect(client.call('GetStats')).rejects.toThrow(ObsConnectionError);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(client.isOpen).toBe(false);
  });

  it('gives up on a server that never says Hello', async () => {
    const url = await fakeObs(() => undefined, { hello: false });
    await expect(connect(url, { timeoutMs: 500 })).rejects.toThrow(
      'no Hello/Identified within 500 ms',
    );
  });

  it('says a password is needed instead of sending none', async () => {
    const url = await fakeObs(() => undefined, { auth: true });
    await expect(connect(url)).rejects.toThrow(
      'OBS requires a password; set --obs-websocket-password',
    );
  });

  it('tells a plain HTTP server and a closed port apart from OBS', async () => {
    server = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    await expect(connect(`ws://127.0.0.1:${address.port}`)).rejects.toThrow(
      'not an obs-websocket server (HTTP 404)',
    );
    const closedPort = address.port;
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    await expect(connect(`ws://127.0.0.1:${closedPort}`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
