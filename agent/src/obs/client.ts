// A small obs-websocket v5 client over `ws`: Hello, Identify (with the SHA-256 challenge),
// Request and RequestBatch, events. Unlike obs-websocket-js it gives every request a timeout
// and fails every pending request when the connection closes, so a hung or vanished OBS can
// never leave the agent waiting (agent/README.md, "Why our own obs-websocket client").
import WebSocket from 'ws';
import {
  authenticationString,
  CloseCode,
  OBS_RPC_VERSION,
  OBS_SUBPROTOCOL,
  OpCode,
  type Envelope,
  type Hello,
  type RequestResult,
} from './protocol';

/** The connection failed or closed; `closeCode` is the WebSocket close code, if any. */
export class ObsConnectionError extends Error {
  constructor(
    message: string,
    readonly closeCode?: number,
  ) {
    super(message);
    this.name = 'ObsConnectionError';
  }
}

/** OBS answered a request with a failure status. */
export class ObsRequestError extends Error {
  constructor(
    readonly requestType: string,
    readonly code: number,
    comment: string | undefined,
  ) {
    super(`${requestType} failed (${code})${comment ? `: ${comment}` : ''}`);
    this.name = 'ObsRequestError';
  }
}

export interface ObsClientOptions {
  url: string;
  password?: string;
  /** Identify's eventSubscriptions bit mask (0: no events). */
  eventSubscriptions: number;
  /** Limit for the handshake and the default limit for each request. */
  timeoutMs: number;
  onEvent?: (eventType: string, eventData: unknown) => void;
  /** Called once when an identified connection ends, for whatever reason. */
  onClose?: (error: ObsConnectionError) => void;
}

export interface BatchRequest {
  requestType: string;
  requestData?: Record<string, unknown>;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Larger than any answer the agent asks for (a 320 px screenshot is tens of kB). */
const MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;

function closeMessage(code: number, reason: string): string {
  if (code === CloseCode.AuthenticationFailed) return 'authentication failed (wrong password)';
  if (code === CloseCode.UnsupportedRpcVersion) return 'OBS does not speak obs-websocket RPC 1';
  if (code === 1006) return 'connection dropped without a close (OBS killed or the network gone)';
  return `connection closed (${code}${reason ? `: ${reason}` : ''})`;
}

export class ObsClient {
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly socket: WebSocket,
    readonly hello: Hello,
    private readonly options: ObsClientOptions,
  ) {}

  /** Opens, identifies and resolves with a ready client, or rejects with why not. */
  static connect(options: ObsClientOptions): Promise<ObsClient> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let hello: Hello | undefined;
      const socket = new WebSocket(options.url, OBS_SUBPROTOCOL, {
        handshakeTimeout: options.timeoutMs,
        perMessageDeflate: false,
        maxPayload: MAX_PAYLOAD_BYTES,
      });
      const fail = (error: ObsConnectionError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.terminate();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new ObsConnectionError(`no Hello/Identified within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      socket.on('error', (error) => fail(new ObsConnectionError(error.message)));
      socket.on('unexpected-response', (_request, response) =>
        fail(new ObsConnectionError(`not an obs-websocket server (HTTP ${response.statusCode})`)),
      );
      socket.on('close', (code, reason) =>
        fail(new ObsConnectionError(closeMessage(code, reason.toString()), code)),
      );
      socket.on('message', (data, isBinary) => {
        const message = parseEnvelope(data, isBinary);
        if (message === null) return fail(new ObsConnectionError('unreadable message from OBS'));
        if (message.op === OpCode.Hello) {
          hello = message.d as Hello;
          const identify: Record<string, unknown> = {
            rpcVersion: OBS_RPC_VERSION,
            eventSubscriptions: options.eventSubscriptions,
          };
          if (hello.authentication) {
            if (options.password === undefined || options.password === '') {
              return fail(
                new ObsConnectionError(
                  'OBS requires a password; set --obs-websocket-password',
                  CloseCode.AuthenticationFailed,
                ),
              );
            }
            identify.authentication = authenticationString(
              options.password,
              hello.authentication.salt,
              hello.authentication.challenge,
            );
          }
          socket.send(JSON.stringify({ op: OpCode.Identify, d: identify }));
        } else if (message.op === OpCode.Identified && hello !== undefined) {
          settled = true;
          clearTimeout(timer);
          socket.removeAllListeners();
          resolve(new ObsClient(socket, hello, options).listen());
        }
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  private listen(): this {
    this.socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.socket.on('error', () => undefined);
    this.socket.on('close', (code, reason) =>
      this.shutdown(new ObsConnectionError(closeMessage(code, reason.toString()), code)),
    );
    return this;
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    const message = parseEnvelope(data, isBinary);
    if (message === null) return;
    if (message.op === OpCode.Event) {
      const { eventType, eventData } = message.d as { eventType: string; eventData?: unknown };
      this.options.onEvent?.(eventType, eventData ?? {});
      return;
    }
    if (message.op === OpCode.RequestResponse || message.op === OpCode.RequestBatchResponse) {
      const { requestId } = message.d as { requestId?: string };
      const pending = requestId === undefined ? undefined : this.pending.get(requestId);
      if (!pending || requestId === undefined) return;
      this.pending.delete(requestId);
      clearTimeout(pending.timer);
      pending.resolve(message.d);
    }
  }

  private send(op: number, d: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    if (this.closed) return Promise.reject(new ObsConnectionError('not connected'));
    const requestId = String(this.nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new ObsConnectionError(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
      this.socket.send(JSON.stringify({ op, d: { ...d, requestId } }), (error) => {
        if (!error) return;
        const pending = this.pending.get(requestId);
        if (!pending) return;
        this.pending.delete(requestId);
        clearTimeout(pending.timer);
        pending.reject(new ObsConnectionError(error.message));
      });
    });
  }

  /** One request; resolves with its responseData, rejects with ObsRequestError on failure. */
  async call<T>(
    requestType: string,
    requestData?: Record<string, unknown>,
    timeoutMs = this.options.timeoutMs,
  ): Promise<T> {
    const result = (await this.send(
      OpCode.Request,
      { requestType, ...(requestData ? { requestData } : {}) },
      timeoutMs,
    )) as RequestResult<T>;
    if (!result.requestStatus.result)
      throw new ObsRequestError(
        requestType,
        result.requestStatus.code,
        result.requestStatus.comment,
      );
    return (result.responseData ?? {}) as T;
  }

  /** Several requests in one round trip; each result says whether it succeeded. */
  async batch(
    requests: readonly BatchRequest[],
    timeoutMs = this.options.timeoutMs,
  ): Promise<RequestResult[]> {
    const answer = (await this.send(
      OpCode.RequestBatch,
      { haltOnFailure: false, executionType: 0, requests },
      timeoutMs,
    )) as { results?: RequestResult[] };
    return answer.results ?? [];
  }

  /** Closes the connection (a normal close; `terminate` for a hung peer). */
  close(terminate = false): void {
    if (this.closed) return;
    if (terminate) this.socket.terminate();
    else this.socket.close(1000);
    this.shutdown(new ObsConnectionError('closed by the agent', 1000));
  }

  private shutdown(error: ObsConnectionError): void {
    if (this.closed) return;
    this.closed = true;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
    this.options.onClose?.(error);
  }
}

function parseEnvelope(data: WebSocket.RawData, isBinary: boolean): Envelope | null {
  if (isBinary) return null;
  try {
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(data).toString('utf8');
    const value = JSON.parse(text) as Partial<Envelope>;
    return typeof value.op === 'number' && typeof value.d === 'object' && value.d !== null
      ? (value as Envelope)
      : null;
  } catch {
    return null;
  }
}
