// obs-websocket v5 (RPC version 1) as far as the agent uses it: the message envelope, the
// opcodes, the close codes worth naming, the authentication string and the answers of the
// requests the agent makes. The local stand-in (local/src/obs-standin) implements the other
// side; both are checked against a real OBS (agent/tests/real-obs.test.ts).
import { createHash } from 'node:crypto';

export const OBS_SUBPROTOCOL = 'obswebsocket.json';
export const OBS_RPC_VERSION = 1;

export const OpCode = {
  Hello: 0,
  Identify: 1,
  Identified: 2,
  Reidentify: 3,
  Event: 5,
  Request: 6,
  RequestResponse: 7,
  RequestBatch: 8,
  RequestBatchResponse: 9,
} as const;

/** Event subscription bits of Identify (`eventSubscriptions`). */
export const EventSubscription = {
  General: 1 << 0,
  Config: 1 << 1,
  Scenes: 1 << 2,
  Inputs: 1 << 3,
  Outputs: 1 << 6,
  SceneItems: 1 << 7,
} as const;

/** Close codes obs-websocket uses (WebSocketCloseCode). */
export const CloseCode = {
  NotIdentified: 4007,
  AuthenticationFailed: 4009,
  UnsupportedRpcVersion: 4010,
} as const;

/** RequestStatus codes the agent tells apart. */
export const RequestStatus = {
  Success: 100,
  UnknownRequestType: 204,
  ResourceNotFound: 600,
} as const;

export interface Envelope<D = unknown> {
  op: number;
  d: D;
}

export interface Hello {
  obsWebSocketVersion: string;
  rpcVersion: number;
  authentication?: { challenge: string; salt: string };
}

export interface RequestResult<T = Record<string, unknown>> {
  requestType: string;
  requestId?: string;
  requestStatus: { result: boolean; code: number; comment?: string };
  responseData?: T;
}

/** `base64(sha256(base64(sha256(password + salt)) + challenge))`, as obs-websocket expects. */
export function authenticationString(password: string, salt: string, challenge: string): string {
  const secret = createHash('sha256')
    .update(password + salt)
    .digest('base64');
  return createHash('sha256')
    .update(secret + challenge)
    .digest('base64');
}

// Answers of the requests the agent makes (the fields it reads; OBS sends more).

export interface GetVersionResponse {
  obsVersion: string;
  obsWebSocketVersion: string;
  rpcVersion: number;
  availableRequests: string[];
  supportedImageFormats: string[];
}

export interface GetStatsResponse {
  cpuUsage: number;
  memoryUsage: number;
  activeFps: number;
  renderSkippedFrames: number;
  renderTotalFrames: number;
  outputSkippedFrames: number;
  outputTotalFrames: number;
}

export interface GetStreamStatusResponse {
  outputActive: boolean;
  outputReconnecting: boolean;
  outputDuration: number;
  outputCongestion: number;
  outputBytes: number;
  outputSkippedFrames: number;
  outputTotalFrames: number;
}

export interface GetRecordStatusResponse {
  outputActive: boolean;
}

export interface GetCurrentProgramSceneResponse {
  currentProgramSceneName: string;
}

export interface GetSourceScreenshotResponse {
  /** `data:image/jpg;base64,…` for imageFormat `jpg` */
  imageData: string;
}
