/** A raw protocol-v5 WebSocket client for wire-level tests. */
import WebSocket from 'ws';
import { FrameAssembler, splitMessage } from '../../src/rtdb/framing';

export interface RawMessage {
  t: 'c' | 'd';
  d: Record<string, unknown>;
}

export class RawClient {
  /** Every frame as received (before reassembly). */
  readonly frames: string[] = [];
  /** Reassembled, parsed messages. */
  readonly messages: RawMessage[] = [];
  closeCode: number | null = null;
  private readonly assembler = new FrameAssembler(
    () => Number.POSITIVE_INFINITY,
    () => 0,
  );
  private nextR = 1;
  private readonly waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.onFrame(data.toString('utf8')));
    ws.on('close', (code) => {
      this.closeCode = code;
      this.notify();
    });
    ws.on('error', () => undefined);
  }

  static async connect(
    port: number,
    ns: string,
    headers: Record<string, string> = {},
  ): Promise<RawClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/.ws?v=5&ns=${ns}`, { headers });
    const client = new RawClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await client.waitFor((m) => m.t === 'c' && m.d.t === 'h');
    return client;
  }

  private onFrame(frame: string): void {
    this.frames.push(frame);
    const result = this.assembler.push(frame);
    if (result.kind !== 'message') return;
    this.messages.push(JSON.parse(result.text) as RawMessage);
    this.notify();
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  sendFrame(frame: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  /** Sends a request and returns its number; long ones are split into frames as the SDKs do. */
  send(action: string, body: unknown): number {
    const prepared = this.prepare(action, body);
    for (const frame of prepared.frames) this.sendFrame(frame);
    return prepared.r;
  }

  /** The frames of a request, built ahead (so that sending it costs this process little). */
  prepare(action: string, body: unknown): { r: number; frames: string[] } {
    const r = this.nextR++;
    return { r, frames: splitMessage(JSON.stringify({ t: 'd', d: { r, a: action, b: body } })) };
  }

  /** Like prepare, for a write whose data is given as JSON text (`{p, d}` as the SDKs order it). */
  prepareWrite(action: string, path: string, dataJson: string): { r: number; frames: string[] } {
    const r = this.nextR++;
    const head = JSON.stringify({ t: 'd', d: { r, a: action, b: { p: path } } }).slice(0, -3);
    return { r, frames: splitMessage(`${head},"d":${dataJson}}}}`) };
  }

  /** Sends prepared frames and waits for the reply to their request. */
  async sendPrepared(
    prepared: { r: number; frames: string[] },
    timeoutMs = 3000,
  ): Promise<{ s: string; d: unknown }> {
    // In batches, so that this process (which may also be measuring) is not blocked long.
    for (let i = 0; i < prepared.frames.length; i += 32) {
      for (const frame of prepared.frames.slice(i, i + 32)) this.sendFrame(frame);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const reply = await this.waitFor((m) => m.t === 'd' && m.d.r === prepared.r, timeoutMs);
    return reply.d.b as { s: string; d: unknown };
  }

  /** Waits for a message matching `match` (searching ones already received too). */
  async waitFor(match: (m: RawMessage) => boolean, timeoutMs = 3000): Promise<RawMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found !== undefined) return found;
      if (this.closeCode !== null) throw new Error(`socket closed (${this.closeCode})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a message');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a request and waits for its reply body `{s, d}`. */
  async request(action: string, body: unknown): Promise<{ s: string; d: unknown }> {
    const r = this.send(action, body);
    const reply = await this.waitFor((m) => m.t === 'd' && m.d.r === r);
    return reply.d.b as { s: string; d: unknown };
  }

  indexOfReply(r: number): number {
    return this.messages.findIndex((m) => m.t === 'd' && m.d.r === r);
  }

  async waitClosed(timeoutMs = 3000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === null) {
      if (Date.now() > deadline) throw new Error('socket not closed');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.closeCode;
  }

  close(): void {
    this.ws.terminate();
  }
}
