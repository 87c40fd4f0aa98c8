// The failover's show server probe over real HTTP: a server that answers, one that refuses,
// one that errors, one that hangs past the timeout, and one that answers on a retry.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpShowProbe } from '../../src/adapters/http/show-probe';

const servers: Server[] = [];

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `127.0.0.1:${address.port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
});

// Generous for the answers (a loaded machine), short for the server that hangs.
const patient = { timeoutMs: 10_000, attempts: 2, retryDelayMs: 10 };
const fast = { timeoutMs: 300, attempts: 2, retryDelayMs: 10 };

describe('createHttpShowProbe', () => {
  it('is reachable when GET /api/status answers 2xx, and asks that route only', async () => {
    const asked: string[] = [];
    const address = await serve((req, res) => {
      asked.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"obsConnected":true}');
    });
    expect(await createHttpShowProbe(patient).reachable(address)).toBe(true);
    expect(asked).toEqual(['GET /api/status']);
  });

  it('is unreachable when the port refuses, the server errors or hangs', async () => {
    const refused = await serve(() => undefined);
    servers.pop()?.close();
    const failing = await serve((_req, res) => res.writeHead(503).end());
    const hanging = await serve(() => undefined);
    expect(await createHttpShowProbe(patient).reachable(refused)).toBe(false);
    expect(await createHttpShowProbe(patient).reachable(failing)).toBe(false);
    const probe = createHttpShowProbe(fast);
    expect(await probe.reachable(hanging)).toBe(false);
  });

  it('retries: a server that answers the second attempt is reachable', async () => {
    let calls = 0;
    const address = await serve((_req, res) => {
      calls += 1;
      res.writeHead(calls === 1 ? 500 : 200).end('{}');
    });
    expect(await createHttpShowProbe(patient).reachable(address)).toBe(true);
    expect(calls).toBe(2);
  });
});
