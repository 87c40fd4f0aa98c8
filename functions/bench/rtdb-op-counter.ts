// A TCP proxy between the control plane and the local RTDB server that reads the RTDB wire
// protocol as it passes (WebSocket frames, docs: /work/shared/rtdb-protocol.md in the project
// notes; the SDK's own message format) and counts what the client asked for, by kind:
// transaction attempts (a put carrying a hash), sets, updates, gets, listens, and the bytes the
// server sent back (answers and pushes from listens). For the benchmark's "operations per
// assign"; it never changes a byte (the socket plumbing is local's tap proxy).
import { startTapProxy } from '@vmpool/local/tap-proxy';

export type OpKind = 'transaction' | 'set' | 'update' | 'get' | 'listen' | 'unlisten' | 'other';

export interface OpCounts {
  transaction: number;
  set: number;
  update: number;
  get: number;
  listen: number;
  unlisten: number;
  other: number;
  /** Data the server pushed for listens (one per change it sent). */
  pushes: number;
  /** Bytes the server sent, WebSocket framing included. */
  bytesDown: number;
}

export interface OpCountingProxy {
  port: number;
  counts(): OpCounts;
  close(): Promise<void>;
}

const KINDS: Record<string, OpKind> = {
  m: 'update',
  g: 'get',
  q: 'listen',
  n: 'unlisten',
};

function emptyCounts(): OpCounts {
  return {
    transaction: 0,
    set: 0,
    update: 0,
    get: 0,
    listen: 0,
    unlisten: 0,
    other: 0,
    pushes: 0,
    bytesDown: 0,
  };
}

/**
 * Reads WebSocket frames from a byte stream (after the HTTP upgrade), unmasking client frames,
 * and joins the SDK's split messages (a frame holding only a count, then that many parts).
 */
class FrameReader {
  private buffer = Buffer.alloc(0);
  private upgraded = false;
  private parts: { left: number; text: string } | null = null;

  constructor(private readonly onMessage: (text: string) => void) {}

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (!this.upgraded) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.buffer = this.buffer.subarray(end + 4);
      this.upgraded = true;
    }
    for (;;) {
      const frame = this.nextFrame();
      if (frame === null) return;
      if (frame.opcode === 1 || frame.opcode === 0) this.text(frame.payload.toString('utf8'));
    }
  }

  private text(text: string): void {
    if (this.parts !== null) {
      this.parts.text += text;
      this.parts.left -= 1;
      if (this.parts.left === 0) {
        const whole = this.parts.text;
        this.parts = null;
        this.onMessage(whole);
      }
      return;
    }
    if (/^\d+$/.test(text)) {
      this.parts = { left: Number(text), text: '' };
      return;
    }
    this.onMessage(text);
  }

  private nextFrame(): { opcode: number; payload: Buffer } | null {
    const b = this.buffer;
    if (b.length < 2) return null;
    const opcode = (b[0] ?? 0) & 0x0f;
    const masked = ((b[1] ?? 0) & 0x80) !== 0;
    let length = (b[1] ?? 0) & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return null;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return null;
      length = Number(b.readBigUInt64BE(2));
      offset = 10;
    }
    const maskAt = offset;
    if (masked) offset += 4;
    if (b.length < offset + length) return null;
    const payload = Buffer.from(b.subarray(offset, offset + length));
    if (masked) {
      for (let i = 0; i < payload.length; i += 1) {
        payload[i] = (payload[i] ?? 0) ^ (b[maskAt + (i % 4)] ?? 0);
      }
    }
    this.buffer = b.subarray(offset + length);
    return { opcode, payload };
  }
}

interface WireMessage {
  t?: string;
  d?: { a?: string; b?: { h?: unknown } };
}

/** `log`: called with every request the client sends (e.g. to print them while profiling). */
export async function startOpCountingProxy(
  targetPort: number,
  log?: (request: string) => void,
): Promise<OpCountingProxy> {
  let counts = emptyCounts();
  const countRequest = (text: string) => {
    let message: WireMessage;
    try {
      message = JSON.parse(text) as WireMessage;
    } catch {
      return;
    }
    if (message.t !== 'd' || message.d?.a === undefined) return;
    log?.(text);
    const action = message.d.a;
    if (action === 'p') {
      counts[message.d.b?.h === undefined ? 'set' : 'transaction'] += 1;
    } else {
      counts[KINDS[action] ?? 'other'] += 1;
    }
  };
  // Pushes are told apart by their start, without parsing (answers carry "r" first).
  const countAnswer = (text: string) => {
    if (text.startsWith('{"t":"d","d":{"a":"d"') || text.startsWith('{"t":"d","d":{"a":"m"')) {
      counts.pushes += 1;
    }
  };
  const proxy = await startTapProxy(targetPort, () => {
    const up = new FrameReader(countRequest);
    const down = new FrameReader(countAnswer);
    return {
      up: (chunk) => up.push(chunk),
      down: (chunk) => {
        counts.bytesDown += chunk.length;
        down.push(chunk);
      },
    };
  });
  return {
    port: proxy.port,
    counts: () => ({ ...counts }),
    close: () => {
      counts = emptyCounts();
      return proxy.close();
    },
  };
}
