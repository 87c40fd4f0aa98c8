/**
 * Routes the long-poll transport: `/.lp` requests to their channels, idle
 * channels to their end, and upgrade WebSockets (`s=<session id>`) to the
 * channel they take over. The channel itself is in `longpoll.ts`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { HOLD_MS, IDLE_CLOSE_MS, LongPollChannel, disconnectFrame } from './longpoll';
import type { ClientOrigin, Session, Transport } from './session';

/** What the gateway needs from the server. */
export interface GatewayHost {
  readonly clock: () => number;
  readonly maxMessageBytes: number;
  /** Channels holding part of a message for longer than this are closed. */
  readonly fragmentTimeoutMs: number;
  /** Channels without an open poll for this long are closed (default IDLE_CLOSE_MS). */
  readonly idleCloseMs?: number;
  /** Creates a session on a transport (registered with the server). */
  newSession(transport: Transport, namespace: string, host: string, client: ClientOrigin): Session;
  /** The session ended: run its onDisconnect operations and forget it. */
  endSession(session: Session): void;
  /** A WebSocket as a protocol transport. */
  socketTransport(ws: WebSocket): Transport;
  /** The Host to echo when a request has none. */
  defaultHost(): string;
  /** Takes a connection slot (null: too many connections); the function gives it back. */
  admit(req: IncomingMessage): (() => void) | null;
  /** Which web page (if any) a request comes from. */
  clientOrigin(req: IncomingMessage): ClientOrigin;
}

const PING = /^\{"t":"c","d":\{"t":"p"/;
const SWITCH_ACK = /^\{"t":"c","d":\{"t":"a"/;

function javascript(res: ServerResponse, body: string): void {
  res.writeHead(200, {
    'content-type': 'application/javascript; charset=utf-8',
    'cache-control': 'no-cache, no-store, must-revalidate',
  });
  res.end(body);
}

export class LongPollGateway {
  private readonly channels = new Map<string, LongPollChannel>();
  private readonly bySession = new Map<string, LongPollChannel>();
  private reaper: NodeJS.Timeout | null = null;

  constructor(private readonly host: GatewayHost) {}

  start(): void {
    this.reaper = setInterval(() => this.reap(), Math.min(HOLD_MS, 1000));
    this.reaper.unref();
  }

  stop(): void {
    if (this.reaper !== null) clearInterval(this.reaper);
    this.reaper = null;
    for (const channel of [...this.channels.values()]) this.closeChannel(channel);
  }

  /** Sessions currently on long polling. */
  get count(): number {
    return this.channels.size;
  }

  /** The channel an upgrade socket with `s=<sessionId>` takes over, if any. */
  channelForUpgrade(sessionId: string | null): LongPollChannel | undefined {
    return sessionId === null ? undefined : this.bySession.get(sessionId);
  }

  private forget(channel: LongPollChannel): void {
    channel.releaseSlot();
    this.channels.delete(channel.id);
    if (channel.session !== null) this.bySession.delete(channel.session.id);
  }

  private closeChannel(channel: LongPollChannel): void {
    this.forget(channel);
    channel.close();
    if (channel.session !== null) this.host.endSession(channel.session);
  }

  private reap(): void {
    const now = this.host.clock();
    const idle = this.host.idleCloseMs ?? IDLE_CLOSE_MS;
    for (const channel of [...this.channels.values()]) {
      const heldSince = channel.segmentsPendingSince;
      if (!channel.isHolding && now - channel.lastSeen > idle) this.closeChannel(channel);
      else if (heldSince !== null && now - heldSince > this.host.fragmentTimeoutMs) {
        channel.session?.fail(
          1008,
          `message fragments not completed within ${this.host.fragmentTimeoutMs} ms`,
        );
        this.closeChannel(channel);
      }
    }
  }

  /** Handles `GET /.lp?…`. */
  handle(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): void {
    if (params.get('start') === 't') {
      const release = this.host.admit(req);
      if (release === null) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('too many connections\n');
        return;
      }
      const channel: LongPollChannel = new LongPollChannel(this.host.clock, () =>
        channel.session === null ? this.host.maxMessageBytes : channel.session.messageLimitBytes,
      );
      channel.releaseSlot = release;
      const host = req.headers.host ?? this.host.defaultHost();
      const client = this.host.clientOrigin(req);
      const session = this.host.newSession(channel, params.get('ns') ?? '', host, client);
      channel.session = session;
      this.channels.set(channel.id, channel);
      this.bySession.set(session.id, channel);
      session.start();
      javascript(res, channel.startScript(params.get('cb') ?? ''));
      return;
    }
    const channel = this.channels.get(params.get('id') ?? '');
    if (channel === undefined || channel.pw !== params.get('pw')) {
      const quiet = params.get('dframe') === 't' || params.get('disconn') === 't';
      javascript(res, quiet ? '' : "pLPCommand('close');");
      return;
    }
    if (params.get('dframe') === 't') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(disconnectFrame(channel.id, channel.pw, params.get('ns') ?? ''));
      return;
    }
    if (params.get('disconn') === 't') {
      this.closeChannel(channel);
      javascript(res, '');
      return;
    }
    const messages = channel.poll(params, res);
    if (messages === 'too_large') {
      const limit = channel.session?.messageLimitBytes ?? this.host.maxMessageBytes;
      channel.session?.fail(1009, `message larger than ${limit} characters`);
      this.closeChannel(channel);
      return;
    }
    for (const message of messages) {
      if (channel.isEndOfTransmission(message)) {
        channel.completeUpgrade();
        return;
      }
      channel.session?.receiveFrame(message);
    }
  }

  /**
   * A WebSocket taking over a long-poll session: answer its pings until the
   * client sends `n` over the long poll, then move the session onto it.
   */
  acceptUpgrade(
    ws: WebSocket,
    channel: LongPollChannel,
    client: ClientOrigin,
    toText: (data: unknown) => string,
  ): void {
    // A page that may not present credentials must not take over a session that could.
    if (!client.mayAuthenticate && channel.session?.mayAuthenticate === true) {
      ws.close(1008, 'this web origin may not take over that session');
      return;
    }
    const transport = this.host.socketTransport(ws);
    channel.beginUpgrade(transport);
    let switched = false;
    ws.on('message', (data) => {
      const frame = toText(data);
      const session = channel.session;
      if (session === null) return;
      if (switched) session.receiveFrame(frame);
      else if (PING.test(frame)) transport.send('{"t":"c","d":{"t":"o","d":{}}}');
      else if (!SWITCH_ACK.test(frame)) channel.bufferUpgradeFrame(frame);
    });
    channel.onUpgraded = () => {
      switched = true;
      this.forget(channel);
      const session = channel.session;
      if (session === null) return;
      for (const frame of channel.takeUpgradeFrames()) session.receiveFrame(frame);
    };
    ws.on('close', () => {
      if (!switched) channel.abandonUpgrade(transport);
      else if (channel.session !== null) this.host.endSession(channel.session);
    });
    ws.on('error', () => ws.terminate());
    // The client waits for the server on an upgrade socket; this starts its health pings.
    transport.send('{"t":"c","d":{"t":"a","d":{}}}');
  }
}
