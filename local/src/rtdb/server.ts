/**
 * The server: an HTTP server accepting WebSocket upgrades (`/.ws?v=5&ns=…`),
 * one Namespace per `ns`, sessions, rules and persistence.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ADMIN } from './auth';
import { MAX_WEBSOCKET_FRAME_BYTES, type Limits } from './limits';
import { Namespace } from './namespace';
import { LongPollGateway } from './longpoll-gateway';
import { clientOrigin } from './origin';
import { loadSnapshot, saveSnapshot } from './persistence';
import { handleRest } from './rest';
import { RulesEngine, loadRulesDefinition, type RulesSource } from './rules';
import { Session, WebSocketTransport, type ClientOrigin, type Transport } from './session';
import { exportNode, nodeFromJson, type Json } from './tree';

export interface ServerOptions {
  readonly port: number;
  readonly host: string;
  readonly rules?: RulesSource;
  readonly data?: string;
  readonly maxMessageBytes: number;
  readonly limits: Limits;
  /** A connection whose message fragments take longer than this to arrive is closed. */
  readonly fragmentTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
  /** Web origins whose pages may present credentials (normalized). */
  readonly allowedOrigins: ReadonlySet<string>;
  readonly saveIntervalMs: number;
  readonly clock: () => number;
  readonly log: (message: string) => void;
  /** Long-poll channels without an open poll for this long are closed. */
  readonly longPollIdleCloseMs?: number;
}

/** Open connections per client address, against the server's caps. */
class ConnectionCounter {
  private total = 0;
  private readonly byIp = new Map<string, number>();
  constructor(
    private readonly max: number,
    private readonly maxPerIp: number,
  ) {}

  /** Takes a slot for `ip`; returns the function that gives it back, or null when full. */
  admit(ip: string): (() => void) | null {
    const current = this.byIp.get(ip) ?? 0;
    if (this.total >= this.max || current >= this.maxPerIp) return null;
    this.total += 1;
    this.byIp.set(ip, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.byIp.get(ip) ?? 1) - 1;
      if (left <= 0) this.byIp.delete(ip);
      else this.byIp.set(ip, left);
    };
  }

  get count(): number {
    return this.total;
  }
}

export class RtdbCore {
  private readonly namespaces = new Map<string, Namespace>();
  private readonly sessions = new Set<Session>();
  private rules: RulesEngine | null = null;
  private rulesDefinition: object | null = null;
  /** Rules set for one namespace through the REST API (they win over the global rules). */
  private readonly namespaceRules = new Map<string, { engine: RulesEngine; definition: object }>();
  private dirty = false;
  private saveTimer: NodeJS.Timeout | null = null;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private sessionCounter = 0;
  private readonly longPoll: LongPollGateway;
  private readonly connections: ConnectionCounter;
  private sweeper: NodeJS.Timeout | null = null;
  port = 0;

  constructor(private readonly opts: ServerOptions) {
    this.connections = new ConnectionCounter(opts.maxConnections, opts.maxConnectionsPerIp);
    this.longPoll = new LongPollGateway({
      clock: opts.clock,
      maxMessageBytes: opts.maxMessageBytes,
      fragmentTimeoutMs: opts.fragmentTimeoutMs,
      ...(opts.longPollIdleCloseMs === undefined ? {} : { idleCloseMs: opts.longPollIdleCloseMs }),
      newSession: (transport, ns, host, client) => this.newSession(transport, ns, host, client),
      endSession: (session) => this.endSession(session),
      socketTransport: (ws) => this.socketTransport(ws),
      defaultHost: () => `${this.opts.host}:${this.port}`,
      admit: (req) => this.admit(req),
      clientOrigin: (req) => clientOrigin(req.headers, this.opts.allowedOrigins),
    });
    this.http = createServer((req, res) => this.handleHttp(req, res));
    this.wss = new WebSocketServer({
      noServer: true,
      // Frames the SDKs send are at most 16384 characters; larger ones are refused unread.
      maxPayload: MAX_WEBSOCKET_FRAME_BYTES,
      perMessageDeflate: false,
    });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => undefined);
      const release = this.admit(req);
      if (release === null) {
        socket.end(
          'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
        );
        return;
      }
      socket.once('close', release);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        try {
          this.accept(ws, req);
        } catch (e) {
          this.opts.log(`WebSocket upgrade ${String(req.url).slice(0, 200)} failed: ${String(e)}`);
          ws.terminate();
        }
      });
    });
  }

  /** Takes a connection slot for the request's address (null: too many connections). */
  private admit(req: IncomingMessage): (() => void) | null {
    const ip = req.socket.remoteAddress ?? 'unknown';
    const release = this.connections.admit(ip);
    if (release === null) {
      this.opts.log(`refused a connection from ${ip}: too many open connections`);
    }
    return release;
  }

  /** Open connections (WebSockets, including upgrade sockets, and long-poll channels). */
  get openConnections(): number {
    return this.connections.count;
  }

  async start(): Promise<void> {
    if (this.opts.rules !== undefined) this.reloadRules(this.opts.rules);
    if (this.opts.data !== undefined) {
      for (const [name, data] of Object.entries(loadSnapshot(this.opts.data))) {
        this.namespace(name).load(nodeFromJson(data, null, { now: this.opts.clock() }));
      }
      this.saveTimer = setInterval(() => this.saveIfDirty(), this.opts.saveIntervalMs);
      this.saveTimer.unref();
    }
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.opts.port, this.opts.host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    this.longPoll.start();
    this.sweeper = setInterval(() => this.expireFragments(), 1000);
    this.sweeper.unref();
    const address = this.http.address();
    this.port = typeof address === 'object' && address !== null ? address.port : this.opts.port;
  }

  namespace(name: string): Namespace {
    let ns = this.namespaces.get(name);
    if (ns === undefined) {
      ns = new Namespace(
        name,
        this.namespaceRules.get(name)?.engine ?? this.rules,
        () => {
          this.dirty = true;
        },
        this.opts.limits,
      );
      this.namespaces.set(name, ns);
    }
    return ns;
  }

  /** Replaces a namespace's data as an admin write (listeners are told). */
  replaceData(name: string, data: unknown): void {
    const outcome = this.namespace(name).set(ADMIN, [], data, this.opts.clock());
    if (outcome.status !== 'ok') throw new Error(`importing data failed: ${outcome.reason}`);
  }

  namespaceNames(): string[] {
    return [...this.namespaces.keys()];
  }

  /** Replaces the rules (a file path, an object, or undefined = allow everything). */
  reloadRules(source: RulesSource | undefined): void {
    const definition = source === undefined ? null : loadRulesDefinition(source);
    this.rules = definition === null ? null : RulesEngine.create(definition, this.opts.log);
    this.rulesDefinition = definition;
    for (const ns of this.namespaces.values()) {
      if (!this.namespaceRules.has(ns.name)) ns.setRules(this.rules);
    }
  }

  /** Rules for one namespace only (the emulator's `PUT /.settings/rules.json?ns=`). */
  setNamespaceRules(name: string, definition: object): void {
    const engine = RulesEngine.create(definition, this.opts.log);
    this.namespaceRules.set(name, { engine, definition });
    this.namespace(name).setRules(engine);
  }

  rulesDefinitionFor(name: string): object | null {
    return this.namespaceRules.get(name)?.definition ?? this.rulesDefinition;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Sessions currently on the long-poll transport. */
  get longPollCount(): number {
    return this.longPoll.count;
  }

  /** Closes connections whose message fragments stopped arriving. */
  private expireFragments(): void {
    const now = this.opts.clock();
    for (const session of [...this.sessions]) {
      session.expireFragments(now, this.opts.fragmentTimeoutMs);
    }
  }

  /** Session ids are unguessable: a long-poll session can be taken over by its id (`s=`). */
  private nextSessionId(): string {
    return `${++this.sessionCounter}-${randomBytes(12).toString('base64url')}`;
  }

  private socketTransport(ws: WebSocket): Transport {
    const limit = Math.max(this.opts.maxMessageBytes * 4, 64 * 1024 * 1024);
    return new WebSocketTransport({
      send: (frame) => {
        // A client that stops reading is cut off rather than buffered without bound.
        if (ws.bufferedAmount > limit) ws.terminate();
        else ws.send(frame);
      },
      close: (code, reason) => ws.close(code, reason.slice(0, 100)),
    });
  }

  private endSession(session: Session): void {
    session.closed();
    this.sessions.delete(session);
  }

  private newSession(
    transport: Transport,
    nsName: string,
    host: string,
    client: ClientOrigin,
  ): Session {
    const session = new Session(transport, {
      namespace: this.namespace(nsName),
      clock: this.opts.clock,
      maxMessageBytes: this.opts.maxMessageBytes,
      limits: this.opts.limits,
      client,
      host,
      sessionId: this.nextSessionId(),
      log: this.opts.log,
    });
    this.sessions.add(session);
    return session;
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const client = clientOrigin(req.headers, this.opts.allowedOrigins);
    const upgrading = this.longPoll.channelForUpgrade(url.searchParams.get('s'));
    if (upgrading !== undefined) {
      this.longPoll.acceptUpgrade(ws, upgrading, client, (data) => rawToString(data as RawData));
      return;
    }
    const nsName = url.searchParams.get('ns') ?? '';
    const host = req.headers.host ?? `${this.opts.host}:${this.port}`;
    const session = this.newSession(this.socketTransport(ws), nsName, host, client);
    ws.on('message', (data: RawData) => {
      session.receiveFrame(rawToString(data));
    });
    ws.on('close', () => this.endSession(session));
    ws.on('error', (err) => {
      this.opts.log(`socket error: ${err.message}`);
      session.closed();
      ws.terminate();
    });
    session.start();
  }

  private handleHttp(req: IncomingMessage, res: ServerResponse): void {
    try {
      this.routeHttp(req, res);
    } catch (e) {
      this.opts.log(`HTTP request ${String(req.url).slice(0, 200)} failed: ${String(e)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Internal error' }));
    }
  }

  private routeHttp(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/.lp') {
      this.longPoll.handle(req, res, url.searchParams);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('vmpool local Realtime Database server (protocol v5 over WebSocket at /.ws)\n');
      return;
    }
    void handleRest(req, res, {
      namespace: (name) => this.namespace(name),
      clock: this.opts.clock,
      maxBodyBytes: this.opts.maxMessageBytes,
      maxUserBodyBytes: Math.min(this.opts.maxMessageBytes, this.opts.limits.maxUserMessageBytes),
      client: clientOrigin(req.headers, this.opts.allowedOrigins),
      getRules: (name) => this.rulesDefinitionFor(name),
      setRules: (name, definition) => this.setNamespaceRules(name, definition),
    });
  }

  exportAll(): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const [name, ns] of this.namespaces) {
      if (ns.root !== null) out[name] = exportNode(ns.root);
    }
    return out;
  }

  private saveIfDirty(): void {
    if (!this.dirty || this.opts.data === undefined) return;
    this.dirty = false;
    try {
      saveSnapshot(this.opts.data, this.exportAll());
    } catch (e) {
      this.dirty = true;
      this.opts.log(`saving ${this.opts.data} failed: ${String(e)}`);
    }
  }

  async stop(): Promise<void> {
    if (this.saveTimer !== null) clearInterval(this.saveTimer);
    this.saveTimer = null;
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
    this.longPoll.stop();
    for (const session of this.sessions) session.closed();
    for (const ws of this.wss.clients) ws.terminate();
    this.sessions.clear();
    if (this.opts.data !== undefined) {
      this.dirty = true;
      this.saveIfDirty();
    }
    await new Promise<void>((resolve) => {
      this.wss.close(() => resolve());
    });
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
    });
  }
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
