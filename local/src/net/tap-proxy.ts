// A loopback TCP proxy that shows what passes through it to a tap and never changes a byte: the
// benches' way to measure a client's traffic to the database (bytes, or the operations in it).
import { createServer, connect, type Server, type Socket } from 'node:net';

/** One connection as the tap sees it: each chunk each way, before it is passed on. */
export interface TapConnection {
  /** Client to target. */
  up?(chunk: Buffer): void;
  /** Target to client. */
  down?(chunk: Buffer): void;
}

export interface TapProxy {
  port: number;
  /** Closes the proxy and every connection through it. */
  close(): Promise<void>;
}

/**
 * Listens on a free 127.0.0.1 port and forwards every connection to `targetPort` on 127.0.0.1;
 * `tap` is called once per connection (each gets its own readers, e.g. for framing). A side that
 * closes or fails closes both.
 */
export async function startTapProxy(
  targetPort: number,
  tap: () => TapConnection = () => ({}),
): Promise<TapProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    const seen = tap();
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (chunk: Buffer) => {
      seen.up?.(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      seen.down?.(chunk);
      client.write(chunk);
    });
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('close', closeBoth);
      socket.on('error', closeBoth);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no address');
  return {
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
