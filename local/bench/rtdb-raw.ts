/**
 * What the RTDB benchmarks share: the server as its own process (the CLI), and a raw
 * protocol-v5 client that splits and reassembles long messages like the SDKs do (with the
 * server's own framing, `src/rtdb/framing.ts`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { FrameAssembler, splitMessage } from '../src/rtdb/framing';

export const RTDB_CLI = fileURLToPath(new URL('../src/rtdb/cli.ts', import.meta.url));

/** Starts the server CLI on a free port; resolves once it listens. */
export async function startRtdbServer(
  args: readonly string[] = [],
  cli: string = RTDB_CLI,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cli, '--port', '0', '--quiet', ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  return { child, port };
}

/** CPU time (user + system) a process has used so far, in seconds. */
export function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A process's resident memory now and at its peak, in MB. */
export function processMemoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** An unsigned ID token with these claims (what the local server accepts as `auth`). */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none', type: 'JWT' })}.${enc({ iat: 0, ...claims })}.`;
}

/** A request's answer: its status and data (`closed {code}` when the socket closed first). */
export interface Reply {
  readonly s: string;
  readonly d: unknown;
}

/** A raw protocol connection: pipelined requests, and the data pushed for listens. */
export class RawConn {
  private nextR = 1;
  private readonly frames = new FrameAssembler(
    () => Number.POSITIVE_INFINITY,
    () => 0,
  );
  private readonly pending = new Map<number, (reply: Reply) => void>();
  /** The close code once the socket closed. */
  closed: number | null = null;
  /** Called with the data of every push (`d` action) on a listened path. */
  onValue: (value: unknown) => void = () => undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.frame(data.toString()));
    ws.on('close', (code) => {
      this.closed = code;
      for (const resolve of this.pending.values()) resolve({ s: `closed ${code}`, d: null });
      this.pending.clear();
    });
    ws.on('error', () => undefined);
  }

  static async open(port: number, ns: string): Promise<RawConn> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/.ws?v=5&ns=${ns}`);
    const conn = new RawConn(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return conn;
  }

  /** A connection listening to `path` (its pushes reach `onValue`). */
  static async listener(port: number, ns: string, path: string): Promise<RawConn> {
    const conn = await RawConn.open(port, ns);
    await conn.request('q', { p: path, h: '' });
    return conn;
  }

  request(a: string, b: unknown): Promise<Reply> {
    const r = this.nextR++;
    const reply = new Promise<Reply>((resolve) => this.pending.set(r, resolve));
    for (const frame of splitMessage(JSON.stringify({ t: 'd', d: { r, a, b } })))
      this.ws.send(frame);
    return reply;
  }

  close(): void {
    this.ws.terminate();
  }

  private frame(frame: string): void {
    const result = this.frames.push(frame);
    if (result.kind !== 'message') return;
    const msg = JSON.parse(result.text) as {
      t: string;
      d: { r?: number; a?: string; b?: Reply };
    };
    if (msg.t !== 'd') return;
    if (msg.d.a === 'd') this.onValue(msg.d.b?.d);
    if (typeof msg.d.r === 'number') {
      this.pending.get(msg.d.r)?.(msg.d.b as Reply);
      this.pending.delete(msg.d.r);
    }
  }
}
