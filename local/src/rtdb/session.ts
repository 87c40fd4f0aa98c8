/**
 * One client connection: handshake, frames, requests processed strictly in
 * order (synchronously), auth state and the onDisconnect queue.
 */
import {
  ANONYMOUS,
  authReplyData,
  authenticate,
  authenticateGoogle,
  type AuthResult,
  type Principal,
} from './auth';
import { FrameAssembler, splitMessage } from './framing';
import type { Limits } from './limits';
import type { Namespace, Outcome, Subscriber } from './namespace';
import { DisconnectQueue } from './ondisconnect';
import { InvalidInputError, parsePath, type Path } from './paths';
import { parseQuery } from './query';
import type { Json } from './tree';
import { isObject } from './objects';

/** How a session reaches its client (a WebSocket, or a long-poll channel). */
export interface Transport {
  /** Sends one whole serialized message (the transport splits it if it must). */
  send(message: string): void;
  close(code: number, reason: string): void;
}

/** A WebSocket-like sink for `WebSocketTransport`. */
export interface FrameSink {
  send(frame: string): void;
  close(code: number, reason: string): void;
}

/** Protocol v5 over a WebSocket: long messages split into counted frames. */
export class WebSocketTransport implements Transport {
  constructor(private readonly socket: FrameSink) {}
  send(message: string): void {
    for (const frame of splitMessage(message)) this.socket.send(frame);
  }
  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }
}

/** Where a connection comes from, as far as browsers are concerned. */
export interface ClientOrigin {
  /** The web page's origin when a browser opened the connection; null for other clients. */
  readonly origin: string | null;
  /**
   * False for a page of an origin that may not use credentials here: none of its `auth` or
   * `gauth` requests is accepted (the owner token and unsigned tokens would let any web site
   * open in the developer's browser act as anyone), so it stays unauthenticated.
   */
  readonly mayAuthenticate: boolean;
}

export const NON_BROWSER: ClientOrigin = { origin: null, mayAuthenticate: true };

export interface SessionOptions {
  readonly namespace: Namespace;
  readonly clock: () => number;
  /** Largest message from an owner connection, or from anyone while no rules are in force. */
  readonly maxMessageBytes: number;
  readonly limits: Limits;
  readonly client: ClientOrigin;
  /** Echoed in the handshake's `h`: the host the client reached us on. */
  readonly host: string;
  readonly sessionId: string;
  readonly log: (message: string) => void;
}

type Body = Record<string, unknown>;

const PONG = '{"t":"c","d":{"t":"o","d":{}}}';

/**
 * The start of a data message as the SDKs serialize it, `{"t":"d","d":{"r":N,"a":"X","b":{"p":"…"`:
 * enough to answer a long message from its first fragment.
 */
const MESSAGE_HEAD =
  /^\{"t":"d","d":\{"r":(\d{1,15}),"a":"([a-z]{1,8})","b":\{"p":("(?:[^"\\]|\\.){0,4096}")/;

interface MessageHead {
  readonly r: number;
  readonly action: string;
  readonly path: Path | null;
}

function messageHead(text: string): MessageHead | null {
  const m = MESSAGE_HEAD.exec(text);
  if (m === null) return null;
  let path: Path | null = null;
  try {
    path = parsePath(JSON.parse(m[3] as string), true);
  } catch {
    path = null;
  }
  return { r: Number(m[1]), action: m[2] as string, path };
}

export class Session implements Subscriber {
  private principal: Principal = ANONYMOUS;
  private readonly assembler: FrameAssembler;
  private readonly onDisconnect = new DisconnectQueue();
  private ended = false;

  constructor(
    private transport: Transport,
    private readonly opts: SessionOptions,
  ) {
    this.assembler = new FrameAssembler(() => this.messageLimit(), opts.clock);
  }

  /** Rules-checked connections get the smaller limit; owners and rule-less servers the full one. */
  private messageLimit(): number {
    return this.opts.namespace.checksWritesOf(this.principal)
      ? Math.min(this.opts.maxMessageBytes, this.opts.limits.maxUserMessageBytes)
      : this.opts.maxMessageBytes;
  }

  /** The largest message this connection may send now. */
  get messageLimitBytes(): number {
    return this.messageLimit();
  }

  /** Whether this connection's client may present credentials (see ClientOrigin). */
  get mayAuthenticate(): boolean {
    return this.opts.client.mayAuthenticate;
  }

  /** When the message being received in fragments started (null when none is). */
  get fragmentsPendingSince(): number | null {
    return this.assembler.pendingSince;
  }

  get id(): string {
    return this.opts.sessionId;
  }

  get isClosed(): boolean {
    return this.ended;
  }

  /** The server speaks first: the handshake. */
  start(): void {
    const handshake = {
      t: 'c',
      d: {
        t: 'h',
        d: { ts: this.opts.clock(), v: '5', h: this.opts.host, s: this.opts.sessionId },
      },
    };
    this.sendFrame(JSON.stringify(handshake));
  }

  sendData(message: string): void {
    this.sendFrame(`{"t":"d","d":${message}}`);
  }

  private sendFrame(text: string): void {
    if (this.ended) return;
    this.transport.send(text);
  }

  private reply(r: number, status: string, data: Json): void {
    this.sendData(JSON.stringify({ r, b: { s: status, d: data } }));
  }

  private replyOutcome(r: number, outcome: Outcome, okData: Json = ''): void {
    if (outcome.status === 'ok') this.reply(r, 'ok', okData);
    else this.reply(r, outcome.status, outcome.reason);
  }

  /** Ends the session with a control `e` explaining why, and closes the transport. */
  fail(code: number, reason: string): void {
    this.opts.log(`closing session ${this.opts.sessionId}: ${reason}`);
    this.sendFrame(JSON.stringify({ t: 'c', d: { t: 'e', d: reason } }));
    this.transport.close(code, reason);
    this.closed();
  }

  /** Moves the session to another transport (long poll upgraded to a WebSocket). */
  switchTransport(transport: Transport): void {
    this.transport = transport;
  }

  /** Handles one incoming frame. Never throws. */
  receiveFrame(frame: string): void {
    if (this.ended) return;
    const result = this.assembler.push(frame);
    if (result.kind === 'too_large') {
      // A whole message over the limit (long polling delivers messages whole) is answered;
      // anything else over it closes the connection.
      const head = messageHead(frame);
      if (head === null) this.fail(1009, `message larger than ${this.messageLimit()} characters`);
      else this.reply(head.r, 'too_big', `message larger than ${this.messageLimit()} characters`);
      return;
    }
    if (result.kind === 'first') {
      this.screenLongMessage(result.text, result.oversized);
      return;
    }
    if (result.kind !== 'message') return;
    let message: unknown;
    try {
      message = JSON.parse(result.text);
    } catch {
      this.fail(1007, 'malformed JSON frame');
      return;
    }
    try {
      this.handleMessage(message);
    } catch (e) {
      this.opts.log(`unexpected error in session ${this.opts.sessionId}: ${String(e)}`);
      this.fail(1011, 'internal error');
    }
  }

  /**
   * The first fragment of a long message: a write that is over the size limit, or that no
   * `.write` rule could allow, is answered now and the rest of it is skipped unread (never
   * buffered or parsed). A message over the limit whose start cannot be read closes the socket.
   */
  private screenLongMessage(first: string, oversized: boolean): void {
    const head = messageHead(first);
    if (
      head?.path != null &&
      !this.opts.namespace.couldAllowWrite(this.principal, head.action, head.path)
    ) {
      this.assembler.discardRest();
      this.reply(head.r, 'permission_denied', 'Permission denied');
      return;
    }
    if (!oversized) return;
    if (head === null) {
      this.fail(1009, `message larger than ${this.messageLimit()} characters`);
      return;
    }
    this.assembler.discardRest();
    this.reply(head.r, 'too_big', `message larger than ${this.messageLimit()} characters`);
  }

  /** Closes a connection whose message fragments stopped arriving. */
  expireFragments(now: number, timeoutMs: number): void {
    const since = this.assembler.pendingSince;
    if (since !== null && now - since > timeoutMs) {
      this.fail(1008, `message fragments not completed within ${timeoutMs} ms`);
    }
  }

  private handleMessage(message: unknown): void {
    if (!isObject(message) || !isObject(message.d)) {
      this.warn('frames must be {"t":"c"|"d","d":{…}}');
      return;
    }
    if (message.t === 'c') {
      if (message.d.t === 'p') this.sendFrame(PONG);
      return;
    }
    if (message.t !== 'd') {
      this.warn(`unknown frame type ${JSON.stringify(message.t)?.slice(0, 40)}`);
      return;
    }
    const { r, a, b } = message.d;
    if (typeof r !== 'number' || !Number.isSafeInteger(r)) {
      this.warn('data messages need an integer request number r');
      return;
    }
    if (typeof a !== 'string') {
      this.reply(r, 'invalid_request', 'missing action');
      return;
    }
    const body: Body = isObject(b) ? b : {};
    try {
      this.handleRequest(r, a, body);
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e;
      this.reply(r, 'invalid_request', e.message);
    }
  }

  private warn(text: string): void {
    this.sendFrame(JSON.stringify({ t: 'c', d: { t: 'e', d: text } }));
  }

  private handleRequest(r: number, action: string, body: Body): void {
    const ns = this.opts.namespace;
    const now = this.opts.clock();
    switch (action) {
      case 's':
      case 'appcheck':
      case 'unappeck':
        this.reply(r, 'ok', '');
        return;
      case 'q': {
        const path = parsePath(body.p);
        const spec = parseQuery(body.q);
        const tag = typeof body.t === 'number' ? body.t : null;
        this.replyOutcome(r, ns.listen(this, this.principal, path, spec, tag, now, body.q), {});
        return;
      }
      case 'n': {
        const tag = typeof body.t === 'number' ? body.t : null;
        ns.unlisten(this, parsePath(body.p), tag);
        this.reply(r, 'ok', '');
        return;
      }
      case 'g': {
        const outcome = ns.get(this.principal, parsePath(body.p), parseQuery(body.q), now);
        this.replyOutcome(r, outcome, outcome.value ?? null);
        return;
      }
      case 'p': {
        const path = parsePath(body.p, true);
        const hash = typeof body.h === 'string' ? body.h : undefined;
        const outcome = ns.set(
          this.principal,
          path,
          body.d,
          now,
          hash === undefined ? {} : { hash },
        );
        if (outcome.status === 'datastale') ns.refresh(this, path);
        this.replyOutcome(r, outcome);
        return;
      }
      case 'm':
        this.replyOutcome(r, ns.update(this.principal, parsePath(body.p), body.d, now));
        return;
      case 'o':
      case 'om': {
        const path = parsePath(body.p, action === 'o');
        const outcome =
          action === 'o'
            ? ns.set(this.principal, path, body.d, now, { dryRun: true })
            : ns.update(this.principal, path, body.d, now, { dryRun: true });
        if (outcome.status === 'ok') {
          this.onDisconnect.add({ kind: action === 'o' ? 'set' : 'merge', path, data: body.d });
        }
        this.replyOutcome(r, outcome);
        return;
      }
      case 'oc': {
        const path = parsePath(body.p, true);
        this.onDisconnect.cancel(path);
        this.reply(r, 'ok', '');
        return;
      }
      case 'auth':
      case 'gauth':
        if (!this.opts.client.mayAuthenticate) {
          this.refuseCredentials(r);
          return;
        }
        this.applyAuth(r, action === 'auth' ? authenticate(body) : authenticateGoogle(body));
        return;
      case 'unauth':
        this.setPrincipal(ANONYMOUS);
        this.reply(r, 'ok', 'unauthenticated');
        return;
      default:
        this.reply(r, 'invalid_request', `unknown action "${action.slice(0, 40)}"`);
    }
  }

  private refuseCredentials(r: number): void {
    const origin = this.opts.client.origin ?? 'unknown';
    this.opts.log(`refused credentials from browser origin ${origin} (session ${this.id})`);
    this.setPrincipal(ANONYMOUS);
    this.reply(
      r,
      'invalid_token',
      `credentials are not accepted from the web origin ${origin}: only the local web app may sign in to this server`,
    );
  }

  private applyAuth(r: number, result: AuthResult): void {
    if (!result.ok) {
      this.setPrincipal(ANONYMOUS);
      this.reply(r, 'invalid_token', result.reason);
      return;
    }
    this.setPrincipal(result.principal);
    this.reply(r, 'ok', authReplyData(result) as Json);
  }

  rulesChanged(): void {
    if (!this.ended) this.setPrincipal(this.principal);
  }

  /** Changes who this connection is; listens it may no longer read are revoked (`c`). */
  private setPrincipal(principal: Principal): void {
    this.principal = principal;
    this.opts.namespace.revokeUnreadable(this, principal, this.opts.clock());
  }

  /**
   * The socket closed (for any reason): run the onDisconnect operations, in the order they
   * were queued, each checked against the rules again as this connection is now (as
   * production does): one refused is dropped and logged, the others still run. Idempotent.
   */
  closed(): void {
    if (this.ended) return;
    this.ended = true;
    const ns = this.opts.namespace;
    ns.dropSubscriber(this);
    for (const op of this.onDisconnect.take()) {
      const where = `/${op.path.join('/')}`;
      try {
        const now = this.opts.clock();
        const outcome =
          op.kind === 'set'
            ? ns.set(this.principal, op.path, op.data, now)
            : ns.update(this.principal, op.path, op.data, now);
        if (outcome.status !== 'ok') {
          this.opts.log(`onDisconnect at ${where} refused (${outcome.status}): ${outcome.reason}`);
        }
      } catch (e) {
        this.opts.log(`onDisconnect at ${where} failed: ${String(e)}`);
      }
    }
  }
}
