// An obs-websocket v5 server that stands in for OBS on a local VM: the real protocol (Hello,
// Identify with the SHA-256 challenge, Request, RequestBatch, events, close codes) for the
// requests vmpool uses, answered from a SimulatedObs, with a generated program image. OBS
// going down closes every connection and stops listening, as a killed OBS would.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeJpeg } from './jpeg-encoder';
import {
  STANDIN_CANVAS,
  STANDIN_OBS_VERSION,
  STANDIN_OBS_WEBSOCKET_VERSION,
  type ObsEvent,
  type SimulatedObs,
} from './simulation';
import { renderTestCard } from './test-card';
import { StandInObsConfig } from './config-store';

const SUBPROTOCOL = 'obswebsocket.json';

/** The requests the stand-in answers (GetVersion lists them as availableRequests). */
export const STANDIN_REQUESTS = [
  'GetVersion',
  'GetStats',
  'GetStreamStatus',
  'GetRecordStatus',
  'GetCurrentProgramScene',
  'GetSceneList',
  'GetSceneItemList',
  'GetVideoSettings',
  'GetSourceScreenshot',
  // issue 12: the show state export and import (config-store.ts)
  'GetSceneCollectionList',
  'SetCurrentSceneCollection',
  'CreateSceneCollection',
  'GetProfileList',
  'SetCurrentProfile',
  'CreateProfile',
  'CreateScene',
] as const;

export const STANDIN_IMAGE_FORMATS = ['jpeg', 'jpg'] as const;

export interface ObsStandInOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** When set, clients must authenticate like with a real OBS. */
  password?: string;
  obs: SimulatedObs;
  now?: () => number;
  /**
   * OBS's config directory (scene collections, profiles) as OBS 29 lays it out; without it the
   * collection and profile requests answer as an OBS that cannot save (failure 207).
   */
  configDir?: string;
}

export interface ObsStandIn {
  readonly port: number;
  readonly url: string;
  /** Whether it is listening (OBS "up"). */
  readonly listening: boolean;
  /** How often each request type was answered since start (tests: "nothing was captured"). */
  requestCounts(): Record<string, number>;
  /** Sends events to identified clients that subscribed to them. */
  emit(events: readonly ObsEvent[]): void;
  /** OBS goes away: graceful sends ExitStarted and closes (1001); otherwise connections drop. */
  down(graceful: boolean): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

type Status = { result: boolean; code: number; comment?: string };
type Answer = { requestStatus: Status; responseData?: Record<string, unknown> };

const ok = (responseData?: Record<string, unknown>): Answer => ({
  requestStatus: { result: true, code: 100 },
  ...(responseData ? { responseData } : {}),
});
const failure = (code: number, comment: string): Answer => ({
  requestStatus: { result: false, code, comment },
});

interface Session {
  identified: boolean;
  subscriptions: number;
  challenge: string;
  incoming: number;
  outgoing: number;
}

const GENERAL_AND_MORE = 0x7ff; // EventSubscription.All (without high-volume events)

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export async function startObsStandIn(options: ObsStandInOptions): Promise<ObsStandIn> {
  const now = options.now ?? (() => Date.now());
  const obs = options.obs;
  const salt = randomBytes(32).toString('base64');
  const secret =
    options.password === undefined
      ? undefined
      : createHash('sha256')
          .update(options.password + salt)
          .digest('base64');
  const sessions = new Map<WebSocket, Session>();
  const counts: Record<string, number> = {};
  let http: HttpServer | undefined;
  let wss: WebSocketServer | undefined;
  let port = options.port;
  let stopped = false;

  const send = (socket: WebSocket, op: number, d: unknown): void => {
    if (socket.readyState !== socket.OPEN) return;
    const session = sessions.get(socket);
    if (session) session.outgoing += 1;
    socket.send(JSON.stringify({ op, d }));
  };

  const broadcast = (events: readonly ObsEvent[]): void => {
    for (const event of events) {
      for (const [socket, session] of sessions) {
        if (!session.identified || (session.subscriptions & event.intent) === 0) continue;
        send(socket, 5, {
          eventData: event.eventData,
          eventIntent: event.intent,
          eventType: event.eventType,
        });
      }
    }
  };

  const configStore =
    options.configDir === undefined
      ? null
      : new StandInObsConfig(options.configDir, obs.scenes, (scenes, program) =>
          obs.setSceneList(scenes, program),
        );

  const screenshot = (data: Record<string, unknown>): Answer => {
    const sourceName = data.sourceName;
    const imageFormat = data.imageFormat;
    if (typeof sourceName !== 'string')
      return failure(300, 'Your request is missing the `sourceName` field.');
    if (typeof imageFormat !== 'string')
      return failure(300, 'Your request is missing the `imageFormat` field.');
    if (!(STANDIN_IMAGE_FORMATS as readonly string[]).includes(imageFormat))
      return failure(
        400,
        'Your specified image format is invalid or not supported by this system.',
      );
    const limits: Record<string, [number, number]> = {
      imageWidth: [8, 4096],
      imageHeight: [8, 4096],
      imageCompressionQuality: [-1, 100],
    };
    for (const [field, [min, max]] of Object.entries(limits)) {
      const value = num(data[field]);
      if (data[field] === undefined) continue;
      if (value === undefined)
        return failure(401, `The field value of \`${field}\` must be a number.`);
      if (value < min)
        return failure(
          402,
          `The field value of \`${field}\` is below the minimum of \`${min.toFixed(6)}\``,
        );
      if (value > max)
        return failure(
          402,
          `The field value of \`${field}\` is above the maximum of \`${max.toFixed(6)}\``,
        );
    }
    if (!obs.scenes.includes(sourceName))
      return failure(600, `No source was found by the name of \`${sourceName}\`.`);
    // Like OBS: one side given, the other follows the canvas's aspect ratio (truncated).
    const aspect = STANDIN_CANVAS.width / STANDIN_CANVAS.height;
    let width: number = STANDIN_CANVAS.width;
    let height: number = STANDIN_CANVAS.height;
    const requestedWidth = num(data.imageWidth);
    const requestedHeight = num(data.imageHeight);
    if (requestedWidth !== undefined) {
      width = Math.floor(requestedWidth);
      if (requestedHeight === undefined) height = Math.floor(width / aspect);
    }
    if (requestedHeight !== undefined) {
      height = Math.floor(requestedHeight);
      if (requestedWidth === undefined) width = Math.floor(height * aspect);
    }
    const requestedQuality = num(data.imageCompressionQuality) ?? -1;
    const quality = requestedQuality < 0 ? 75 : Math.max(1, requestedQuality);
    const pixels = renderTestCard(width, height, {
      scene: sourceName,
      frame: obs.programFrame,
      time: now(),
      status: obs.outputLabel(),
      noise: obs.state.noise,
    });
    const jpeg = encodeJpeg(pixels, width, height, quality);
    return ok({ imageData: `data:image/${imageFormat};base64,${jpeg.toString('base64')}` });
  };

  const answer = (session: Session, requestType: string, data: Record<string, unknown>): Answer => {
    const at = now();
    counts[requestType] = (counts[requestType] ?? 0) + 1;
    switch (requestType) {
      case 'GetVersion':
        return ok({
          availableRequests: [...STANDIN_REQUESTS],
          obsVersion: STANDIN_OBS_VERSION,
          obsWebSocketVersion: STANDIN_OBS_WEBSOCKET_VERSION,
          platform: 'vmpool-local',
          platformDescription: 'vmpool local OBS stand-in',
          rpcVersion: 1,
          supportedImageFormats: [...STANDIN_IMAGE_FORMATS],
        });
      case 'GetStats':
        return ok({
          ...obs.getStats(at),
          webSocketSessionIncomingMessages: session.incoming,
          webSocketSessionOutgoingMessages: session.outgoing,
        });
      case 'GetStreamStatus':
        return ok(obs.getStreamStatus(at));
      case 'GetRecordStatus':
        return ok(obs.getRecordStatus(at));
      case 'GetCurrentProgramScene': {
        const scene = obs.state.scene ?? obs.scenes[0] ?? '';
        return ok({ currentProgramSceneName: scene });
      }
      case 'GetSceneList': {
        const scenes = obs.scenes;
        return ok({
          currentPreviewSceneName: null,
          currentProgramSceneName: obs.state.scene ?? scenes[0] ?? '',
          scenes: scenes
            .map((sceneName, index) => ({ sceneIndex: scenes.length - 1 - index, sceneName }))
            .reverse(),
        });
      }
      case 'GetSceneItemList': {
        // The stand-in's scenes hold no items (their picture is drawn, not composed).
        const sceneName = typeof data.sceneName === 'string' ? data.sceneName : '';
        if (!obs.scenes.includes(sceneName))
          return failure(600, `No source was found by the name of \`${sceneName}\`.`);
        return ok({ sceneItems: [] });
      }
      case 'GetVideoSettings':
        return ok({
          baseHeight: STANDIN_CANVAS.height,
          baseWidth: STANDIN_CANVAS.width,
          fpsDenominator: 1,
          fpsNumerator: STANDIN_CANVAS.fps,
          outputHeight: STANDIN_CANVAS.height,
          outputWidth: STANDIN_CANVAS.width,
        });
      case 'GetSourceScreenshot':
        return screenshot(data);
      default: {
        if (!(STANDIN_REQUESTS as readonly string[]).includes(requestType)) {
          return failure(204, 'Your request type is not valid.');
        }
        if (configStore === null) return failure(207, 'OBS has no configuration directory.');
        const outcome = configStore.answer(requestType, data);
        if (outcome === null) return failure(204, 'Your request type is not valid.');
        if (!outcome.ok) return failure(outcome.code, outcome.comment);
        if (outcome.events) broadcast(outcome.events);
        return ok(outcome.data);
      }
    }
  };

  const onMessage = (socket: WebSocket, session: Session, raw: string): void => {
    let message: { op?: unknown; d?: unknown };
    try {
      message = JSON.parse(raw) as { op?: unknown; d?: unknown };
    } catch (error) {
      socket.close(4002, `Unable to decode Json: ${(error as Error).message}`.slice(0, 120));
      return;
    }
    const d = (typeof message.d === 'object' && message.d !== null ? message.d : {}) as Record<
      string,
      unknown
    >;
    if (typeof message.op !== 'number') {
      socket.close(4003, 'Your request is missing an `op`.');
      return;
    }
    if (message.op === 1) {
      if (session.identified) {
        socket.close(4008, 'You are already Identified with the obs-websocket server.');
        return;
      }
      if (d.rpcVersion !== 1) {
        socket.close(4010, 'Your requested RPC version is not supported by this server.');
        return;
      }
      if (secret !== undefined) {
        if (typeof d.authentication !== 'string') {
          socket.close(
            4009,
            "Your payload's data is missing an `authentication` string, however authentication is required.",
          );
          return;
        }
        const expected = createHash('sha256')
          .update(secret + session.challenge)
          .digest('base64');
        if (d.authentication !== expected) {
          socket.close(4009, 'Authentication failed.');
          return;
        }
      }
      session.identified = true;
      session.subscriptions = num(d.eventSubscriptions) ?? GENERAL_AND_MORE;
      send(socket, 2, { negotiatedRpcVersion: 1 });
      return;
    }
    if (!session.identified) {
      socket.close(4007, 'You attempted to send a non-Identify message while not identified.');
      return;
    }
    if (message.op === 6) {
      if (typeof d.requestId !== 'string') {
        socket.close(4003, 'Your payload data is missing a `requestId`.');
        return;
      }
      if (typeof d.requestType !== 'string') {
        socket.close(4003, 'Your payload data is missing a `requestType`.');
        return;
      }
      const requestData = (
        typeof d.requestData === 'object' && d.requestData !== null ? d.requestData : {}
      ) as Record<string, unknown>;
      send(socket, 7, {
        requestId: d.requestId,
        requestType: d.requestType,
        ...answer(session, d.requestType, requestData),
      });
      return;
    }
    if (message.op === 8) {
      if (typeof d.requestId !== 'string') {
        socket.close(4003, 'Your payload data is missing a `requestId`.');
        return;
      }
      const requests = Array.isArray(d.requests) ? (d.requests as unknown[]) : [];
      const halt = d.haltOnFailure === true;
      const results: Record<string, unknown>[] = [];
      for (const item of requests) {
        const request = (typeof item === 'object' && item !== null ? item : {}) as Record<
          string,
          unknown
        >;
        const requestType = typeof request.requestType === 'string' ? request.requestType : '';
        const requestData = (
          typeof request.requestData === 'object' && request.requestData !== null
            ? request.requestData
            : {}
        ) as Record<string, unknown>;
        const result = requestType
          ? answer(session, requestType, requestData)
          : failure(300, 'Your request is missing the `requestType` field.');
        results.push({
          ...(typeof request.requestId === 'string' ? { requestId: request.requestId } : {}),
          requestType,
          ...result,
        });
        if (halt && !result.requestStatus.result) break;
      }
      send(socket, 9, { requestId: d.requestId, results });
      return;
    }
    socket.close(4006, `Unknown OpCode: ${message.op}`);
  };

  const listen = async (): Promise<void> => {
    const httpServer = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' });
      res.end('obs-websocket: use a WebSocket');
    });
    const socketServer = new WebSocketServer({
      server: httpServer,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    socketServer.on('connection', (socket) => {
      const session: Session = {
        identified: false,
        subscriptions: 0,
        challenge: randomBytes(32).toString('base64'),
        incoming: 0,
        outgoing: 0,
      };
      sessions.set(socket, session);
      socket.on('message', (data, isBinary) => {
        if (isBinary) {
          socket.close(4002, 'Binary messages are not supported by the JSON protocol.');
          return;
        }
        session.incoming += 1;
        onMessage(socket, session, data.toString());
      });
      socket.on('close', () => sessions.delete(socket));
      socket.on('error', () => sessions.delete(socket));
      send(socket, 0, {
        ...(secret === undefined ? {} : { authentication: { challenge: session.challenge, salt } }),
        obsWebSocketVersion: STANDIN_OBS_WEBSOCKET_VERSION,
        rpcVersion: 1,
      });
    });
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(port, options.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
    const address = httpServer.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    port = address.port;
    http = httpServer;
    wss = socketServer;
  };

  const close = async (graceful: boolean): Promise<void> => {
    const socketServer = wss;
    const httpServer = http;
    wss = undefined;
    http = undefined;
    if (!socketServer || !httpServer) return;
    // Stop accepting first: no new session may start while the old ones are closed.
    const httpClosed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    for (const [socket, session] of sessions) {
      if (graceful) {
        if (session.identified && session.subscriptions & 1)
          send(socket, 5, { eventType: 'ExitStarted', eventIntent: 1, eventData: {} });
        socket.close(1001, 'Server stopping.');
      } else {
        socket.terminate();
      }
    }
    sessions.clear();
    httpServer.closeAllConnections();
    await new Promise<void>((resolve) => socketServer.close(() => resolve()));
    await httpClosed;
  };

  // Listen once even when OBS starts down, so that the port is known for up().
  await listen();
  if (!obs.state.connected) await close(false);

  return {
    get port() {
      return port;
    },
    get url() {
      return `ws://${options.host}:${port}`;
    },
    get listening() {
      return http !== undefined;
    },
    requestCounts: () => ({ ...counts }),
    emit(events) {
      broadcast(events);
    },
    down: (graceful) => close(graceful),
    async up() {
      if (stopped || http !== undefined) return;
      await listen();
    },
    async stop() {
      stopped = true;
      await close(false);
    },
  };
}
