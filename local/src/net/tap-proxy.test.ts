import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTapProxy, type TapProxy } from './tap-proxy';

/** A 127.0.0.1 server that answers every chunk with the same bytes, upper-cased. */
async function startShouter(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) =>
    socket.on('data', (chunk: Buffer) => socket.write(chunk.toString('utf8').toUpperCase())),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return { server, port: address.port };
}

async function exchange(socket: Socket, text: string): Promise<string> {
  socket.write(text);
  let answer = '';
  while (answer.length < text.length) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    answer += chunk.toString('utf8');
  }
  return answer;
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('startTapProxy', () => {
  it('passes every byte both ways unchanged and shows each connection its own chunks', async () => {
    const shouter = await startShouter();
    cleanup.push(() => new Promise<void>((resolve) => shouter.server.close(() => resolve())));
    const seen: { up: string; down: string }[] = [];
    const proxy: TapProxy = await startTapProxy(shouter.port, () => {
      const connection = { up: '', down: '' };
      seen.push(connection);
      return {
        up: (chunk) => (connection.up += chunk.toString('utf8')),
        down: (chunk) => (connection.down += chunk.toString('utf8')),
      };
    });
    cleanup.push(() => proxy.close());
    const first = connect({ host: '127.0.0.1', port: proxy.port });
    const second = connect({ host: '127.0.0.1', port: proxy.port });
    cleanup.push(
      () => void first.destroy(),
      () => void second.destroy(),
    );
    expect(await exchange(first, 'hello')).toBe('HELLO');
    expect(await exchange(second, 'bye')).toBe('BYE');
    expect(seen).toEqual([
      { up: 'hello', down: 'HELLO' },
      { up: 'bye', down: 'BYE' },
    ]);
  });

  it('close ends the connections through it', async () => {
    const shouter = await startShouter();
    cleanup.push(() => new Promise<void>((resolve) => shouter.server.close(() => resolve())));
    const proxy = await startTapProxy(shouter.port);
    const client = connect({ host: '127.0.0.1', port: proxy.port });
    cleanup.push(() => void client.destroy());
    expect(await exchange(client, 'x')).toBe('X');
    const closed = once(client, 'close');
    await proxy.close();
    await closed;
    expect(client.destroyed).toBe(true);
  });
});
