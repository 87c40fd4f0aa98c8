// A TCP proxy between the agent and the database that counts the bytes each way: what the
// agent writes is what reaches the wire, WebSocket framing included.
import { startTapProxy } from '@vmpool/local/tap-proxy';

export interface CountingProxy {
  port: number;
  bytesUp: () => number;
  bytesDown: () => number;
  close(): Promise<void>;
}

export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  let up = 0;
  let down = 0;
  const proxy = await startTapProxy(targetPort, () => ({
    up: (chunk) => (up += chunk.length),
    down: (chunk) => (down += chunk.length),
  }));
  return { port: proxy.port, bytesUp: () => up, bytesDown: () => down, close: proxy.close };
}
