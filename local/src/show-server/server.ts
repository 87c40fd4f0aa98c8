// A stand-in for the show server on a VM: the real /api/status field list and socket.io v4 on
// one port, with OBS state that can be switched at runtime and a restart that really drops
// every connection. OBS itself is the obs-websocket stand-in (../obs-standin) on the same
// host, which the show server's obsConnected follows. Used by the agent's tests and by the
// local stack's "VMs".
import {
  createServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { Server as SocketServer } from 'socket.io';
import { startObsStandIn, type ObsStandIn } from '../obs-standin/server';
import { parseObsControl, SimulatedObs } from '../obs-standin/simulation';
import {
  buildStatus,
  DEMO_SEGMENTS,
  type ConnectedClient,
  type ObsState,
  type ShowStatus,
} from './state';

export interface ShowServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** How long OBS stays disconnected during an OBS restart. */
  obsRestartMs?: number;
  obs?: Partial<ObsState>;
  /** The OBS stand-in's websocket port on the same host: 4455 on a local VM, 0 = free port. */
  obsWebsocketPort?: number;
  /** Makes the OBS stand-in require authentication, like an OBS with a password. */
  obsWebsocketPassword?: string;
  /** OBS's config directory for the stand-in's scene collections and profiles (issue 12). */
  obsConfigDir?: string;
}

export interface ShowServer {
  port: number;
  url: string;
  /** The OBS stand-in (obs-websocket v5), e.g. `ws://127.0.0.1:4455`. */
  obsWebsocketUrl: string;
  /** Applies at once to the status; resolves when the websocket side followed (OBS up/down). */
  setObs(patch: Partial<ObsState>): Promise<void>;
  getObs(): ObsState;
  /** How often the OBS stand-in answered each request type. */
  obsRequestCounts(): Record<string, number>;
  status(): ShowStatus;
  /** OBS disconnects, then reconnects after obsRestartMs with streaming and recording off. */
  restartObs(): Promise<void>;
  /** Drops every connection, stays down for downMs, then listens again on the same port. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024;

export async function startShowServer(options: ShowServerOptions): Promise<ShowServer> {
  const host = options.host ?? '127.0.0.1';
  const obsRestartMs = options.obsRestartMs ?? 1500;
  const simulation = new SimulatedObs(Date.now(), options.obs);
  const obsServer: ObsStandIn = await startObsStandIn({
    host,
    port: options.obsWebsocketPort ?? 0,
    ...(options.obsWebsocketPassword === undefined
      ? {}
      : { password: options.obsWebsocketPassword }),
    obs: simulation,
    ...(options.obsConfigDir === undefined ? {} : { configDir: options.obsConfigDir }),
  });
  let obsTransition: Promise<void> = Promise.resolve();
  const clients = new Map<string, ConnectedClient>();
  const segmentStartTime: number | null = null;
  let obsRestartTimer: NodeJS.Timeout | undefined;
  let http: HttpServer | undefined;
  let io: SocketServer | undefined;
  let stopped = false;

  const status = (): ShowStatus =>
    buildStatus(
      simulation.state,
      [...clients.values()],
      DEMO_SEGMENTS,
      0,
      Date.now(),
      segmentStartTime,
    );

  const broadcast = (): void => {
    io?.emit('stateChange', status());
  };

  /** The state changes at once; the websocket follows (in order) when OBS goes up or down. */
  const setObs = (patch: Partial<ObsState>, graceful = false): Promise<void> => {
    const wasConnected = simulation.state.connected;
    const events = simulation.apply(Date.now(), patch);
    obsServer.emit(events);
    const connected = simulation.state.connected;
    if (connected !== wasConnected) {
      obsTransition = obsTransition.then(() =>
        connected ? obsServer.up() : obsServer.down(graceful),
      );
    }
    broadcast();
    return obsTransition;
  };

  const restartObs = async (): Promise<void> => {
    clearTimeout(obsRestartTimer);
    const scene = simulation.state.scene;
    await setObs({ connected: false }, true);
    await new Promise<void>((resolve) => {
      obsRestartTimer = setTimeout(() => {
        if (stopped) return resolve();
        void setObs({ connected: true, scene }).then(resolve, resolve);
      }, obsRestartMs);
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/api/status') {
      // The real show server enables CORS; the web app's connection test reads this cross-origin.
      res.setHeader('access-control-allow-origin', '*');
      return sendJson(res, 200, status());
    }
    if (req.method === 'GET' && path === '/__control/state')
      return sendJson(res, 200, { obs: simulation.state, obsWebsocketUrl: obsServer.url });
    if (req.method === 'POST' && path === '/__control/obs') {
      readJson(req, (body, error) => {
        if (error) return sendJson(res, 400, { error });
        const { patch, errors } = parseObsControl(body);
        if (errors.length > 0) return sendJson(res, 400, { error: errors.join('; ') });
        void setObs(patch).then(
          () => sendJson(res, 200, { obs: simulation.state }),
          (error: unknown) => sendJson(res, 500, { error: (error as Error).message }),
        );
      });
      return;
    }
    if (req.method === 'POST' && path === '/__control/obs/restart') {
      // Answer once OBS is back, as `systemctl restart` returns once the unit is up again.
      void restartObs().then(() => sendJson(res, 200, { obs: simulation.state }));
      return;
    }
    if (req.method === 'POST' && path === '/__control/restart') {
      sendJson(res, 202, { restarting: true });
      res.on('finish', () => void server.restart());
      return;
    }
    sendJson(res, 404, { error: `no route ${req.method ?? ''} ${path ?? ''}` });
  };

  const listen = async (port: number): Promise<number> => {
    const httpServer = createServer(handle);
    const socketServer = new SocketServer(httpServer, { cors: { origin: '*' } });
    socketServer.on('connection', (socket) => {
      const query = socket.handshake.query;
      clients.set(socket.id, {
        id: socket.id,
        name: typeof query.name === 'string' ? query.name.slice(0, 100) : 'client',
        role: typeof query.role === 'string' ? query.role.slice(0, 50) : 'viewer',
        connectedAt: Date.now(),
      });
      socket.emit('stateChange', status());
      socket.on('disconnect', () => {
        clients.delete(socket.id);
        broadcast();
      });
      broadcast();
    });
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(port, host, () => resolve());
    });
    http = httpServer;
    io = socketServer;
    const address = httpServer.address();
    if (address === null || typeof address === 'string')
      throw new Error('show server has no TCP address');
    return address.port;
  };

  const close = async (): Promise<void> => {
    const socketServer = io;
    const httpServer = http;
    io = undefined;
    http = undefined;
    clients.clear();
    if (!socketServer || !httpServer) return;
    socketServer.disconnectSockets(true);
    httpServer.closeAllConnections();
    await new Promise<void>((resolve) => void socketServer.close(() => resolve()));
  };

  let port: number;
  try {
    port = await listen(options.port);
  } catch (error) {
    await obsServer.stop();
    throw error;
  }
  const server: ShowServer = {
    port,
    url: `http://${host}:${port}`,
    obsWebsocketUrl: obsServer.url,
    setObs: (patch) => setObs(patch),
    getObs: () => simulation.state,
    obsRequestCounts: () => obsServer.requestCounts(),
    status,
    restartObs,
    async restart(downMs = 1000) {
      await close();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      if (!stopped) await listen(port);
    },
    async stop() {
      stopped = true;
      clearTimeout(obsRestartTimer);
      await close();
      await obsTransition.catch(() => undefined);
      await obsServer.stop();
    },
  };
  return server;
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readJson(req: IncomingMessage, done: (body: unknown, error?: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_BODY_BYTES) return done(undefined, `body larger than ${MAX_BODY_BYTES} bytes`);
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      done(text === '' ? {} : (JSON.parse(text) as unknown));
    } catch {
      done(undefined, 'body is not valid JSON');
    }
  });
}
