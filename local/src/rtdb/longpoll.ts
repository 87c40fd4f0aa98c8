/**
 * The long-poll (JSONP) transport browsers fall back to when WebSockets failed
 * once (`/.lp`), and its upgrade to a WebSocket.
 *
 * - `/.lp?start=t&cb=N…` opens a channel: a script that defines the iframe's
 *   `pLPCommand`/`pRTLPCB` forwarders, starts it with an id and password and
 *   delivers packet 0 (the handshake).
 * - `/.lp?id&pw&ser[&seg<i>&ts<i>&d<i>…]` carries client messages (base64url
 *   segments, '.' padding) and is held open until there is something to send.
 * - `/.lp?dframe=t` returns the page whose unload calls `/.lp?disconn=t`.
 * - A WebSocket opened with `s=<session id>` upgrades the channel: the client
 *   pings until healthy, sends `n` over the long poll, and then uses the socket.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Session, Transport } from './session';

/** How long a poll is held before an empty answer (the client re-polls after 25 s). */
export const HOLD_MS = 20_000;
/**
 * A channel with no poll open for this long is considered gone and closed
 * (onDisconnect runs). Browsers no longer send the unload ping reliably, but a
 * live client always has a poll open (it re-polls as soon as one is answered).
 */
export const IDLE_CLOSE_MS = 10_000;

const END_TRANSMISSION = '{"t":"c","d":{"t":"n","d":{}}}';

interface HeldPoll {
  readonly res: ServerResponse;
  readonly timer: NodeJS.Timeout;
}

function script(res: ServerResponse, body: string): void {
  if (res.writableEnded) return;
  res.writeHead(200, {
    'content-type': 'application/javascript; charset=utf-8',
    'cache-control': 'no-cache, no-store, must-revalidate',
  });
  res.end(body);
}

/** JSON is JavaScript, except for U+2028/U+2029 in older engines: escape them. */
function jsSafe(json: string): string {
  return json.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function token(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export class LongPollChannel implements Transport {
  readonly id = token(9);
  readonly pw = token(9);
  session: Session | null = null;
  lastSeen: number;
  private queue: string[] = [];
  private nextPacket = 0;
  private held: HeldPoll | null = null;
  private readonly segments = new Map<number, { total: number; data: string }>();
  private segmentChars = 0;
  /** When the oldest segment still waiting for the rest of its message arrived. */
  private segmentsSince: number | null = null;
  /** Gives the channel's connection slot back (set by the gateway); idempotent. */
  releaseSlot: () => void = () => undefined;
  private nextSegment = 0;
  private closed = false;
  /** Set once the client moved to a WebSocket: data goes there after `n`. */
  private upgradedTo: Transport | null = null;
  private readonly pendingUpgradeFrames: string[] = [];

  constructor(
    private readonly now: () => number,
    /** The largest message the session accepts now (it depends on who the client is). */
    private readonly maxMessageChars: () => number,
  ) {
    this.lastSeen = now();
  }

  /** Called once the session moved to the upgrade WebSocket. */
  onUpgraded: () => void = () => undefined;

  get isClosed(): boolean {
    return this.closed;
  }

  /** When the oldest segment waiting for the rest of its message arrived (null: none). */
  get segmentsPendingSince(): number | null {
    return this.segmentsSince;
  }

  /** True while a poll is held open (the client is alive). */
  get isHolding(): boolean {
    return this.held !== null;
  }

  send(message: string): void {
    if (this.closed) return;
    this.queue.push(message);
    if (this.held !== null) this.release();
  }

  /** The server ends the channel: the next poll answer tells the client to close. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.held !== null) this.release();
  }

  /** The body of the `start` answer: forwarders, the id/password, then queued packets. */
  startScript(callbackId: string): string {
    const cb = JSON.stringify(callbackId).slice(1, -1);
    const forward = (name: string, args: string): string =>
      `function ${name}(${args}){var f=parent.window["${name}${cb}"];if(f)f(${args});}`;
    const body =
      forward('pLPCommand', 'c,a1,a2,a3,a4') +
      '\n' +
      forward('pRTLPCB', 'pN,data') +
      `\npLPCommand('start','${this.id}','${this.pw}');\n`;
    return body + this.drain();
  }

  private drain(): string {
    let out = '';
    if (this.queue.length > 0) {
      out += `pRTLPCB(${this.nextPacket++},[${jsSafe(this.queue.join(','))}]);\n`;
      this.queue = [];
    }
    if (this.closed) out += `pLPCommand('close',${this.nextPacket});\n`;
    return out;
  }

  private release(): void {
    const held = this.held;
    if (held === null) return;
    this.held = null;
    clearTimeout(held.timer);
    this.lastSeen = this.now();
    script(held.res, this.drain());
  }

  /**
   * A poll: takes the client's segments (returns the complete messages) and
   * holds the response until there is data to send.
   */
  poll(params: URLSearchParams, res: ServerResponse): string[] | 'too_large' {
    this.lastSeen = this.now();
    for (let i = 0; params.has(`seg${i}`); i++) {
      const seg = Number(params.get(`seg${i}`));
      const total = Number(params.get(`ts${i}`));
      const data = params.get(`d${i}`) ?? '';
      if (!Number.isSafeInteger(seg) || !Number.isSafeInteger(total) || total < 1) continue;
      if (seg < this.nextSegment || this.segments.has(seg)) continue;
      this.segments.set(seg, { total, data });
      this.segmentChars += data.length;
      this.segmentsSince ??= this.now();
    }
    // Base64 (4 characters for 3 bytes), so a message's segments are longer than the message.
    if (this.segmentChars > Math.ceil((this.maxMessageChars() * 4) / 3) + 4) return 'too_large';
    const messages: string[] = [];
    for (;;) {
      const first = this.segments.get(this.nextSegment);
      if (first === undefined) break;
      const parts: string[] = [];
      for (let k = 0; k < first.total; k++) {
        const part = this.segments.get(this.nextSegment + k);
        if (part === undefined) break;
        parts.push(part.data);
      }
      if (parts.length < first.total) break;
      for (let k = 0; k < first.total; k++) this.segments.delete(this.nextSegment + k);
      this.nextSegment += first.total;
      const joined = parts.join('');
      this.segmentChars -= joined.length;
      messages.push(Buffer.from(joined.replace(/\./g, ''), 'base64url').toString('utf8'));
    }
    if (this.segments.size === 0) this.segmentsSince = null;
    else if (messages.length > 0) this.segmentsSince = this.now();
    // A newer poll releases the one we held (the client keeps at most two open).
    if (this.held !== null) this.release();
    if (this.queue.length > 0 || this.closed) {
      script(res, this.drain());
    } else {
      const timer = setTimeout(() => this.release(), HOLD_MS);
      timer.unref();
      this.held = { res, timer };
      res.on('close', () => {
        if (this.held?.res === res) {
          clearTimeout(this.held.timer);
          this.held = null;
          this.lastSeen = this.now();
        }
      });
    }
    return messages;
  }

  /** A WebSocket joined this channel (`s=` on the upgrade socket). */
  beginUpgrade(socket: Transport): void {
    this.upgradedTo = socket;
  }

  /** The upgrade socket closed before the switch: stay on long polling. */
  abandonUpgrade(socket: Transport): void {
    if (this.upgradedTo !== socket) return;
    this.upgradedTo = null;
    this.pendingUpgradeFrames.length = 0;
  }

  /**
   * Called for every message the client sent over the long poll. Returns true
   * when it was the `n` that ends the long-poll transmission (the session then
   * moves to the WebSocket).
   */
  isEndOfTransmission(message: string): boolean {
    if (this.upgradedTo === null) return false;
    try {
      const parsed = JSON.parse(message) as { t?: unknown; d?: { t?: unknown } };
      return parsed.t === 'c' && parsed.d?.t === 'n';
    } catch {
      return false;
    }
  }

  /** Finishes the upgrade: `n` on the long poll, then the session uses the socket. */
  completeUpgrade(): Transport | null {
    const target = this.upgradedTo;
    if (target === null || this.session === null) return null;
    this.send(END_TRANSMISSION);
    this.session.switchTransport(target);
    this.close();
    this.onUpgraded();
    return target;
  }

  /** Frames the upgrade socket received before the switch (replayed after it). */
  bufferUpgradeFrame(frame: string): void {
    this.pendingUpgradeFrames.push(frame);
  }

  takeUpgradeFrames(): string[] {
    return this.pendingUpgradeFrames.splice(0);
  }
}

/** The page whose unload tells the server the client left. */
export function disconnectFrame(id: string, pw: string, ns: string): string {
  const url = `/.lp?disconn=t&id=${encodeURIComponent(id)}&pw=${encodeURIComponent(pw)}&ns=${encodeURIComponent(ns)}`;
  return (
    '<html><body><script>' +
    'function ping(u){try{var x=new XMLHttpRequest();x.open("GET",u,false);x.send(null);}catch(e){}}' +
    `function leave(){ping(${JSON.stringify(url)});}` +
    "if(window.addEventListener)window.addEventListener('unload',leave,false);" +
    "else if(window.attachEvent)window.attachEvent('onunload',leave);" +
    '</script></body></html>'
  );
}
