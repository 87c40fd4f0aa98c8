import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet } from './http-get';
import { probeShowStatus } from './show-status';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/api/status') {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ obsConnected: true, connectedClients: ['a', 'b'] }));
    } else if (request.url === '/broken' || request.url === '/failing/api/status') {
      response.statusCode = 500;
      response.end('boom');
    } else if (request.url === '/huge') {
      response.end('x'.repeat(300 * 1024));
    } else if (request.url === '/silent') {
      // Never answers: the caller's timeout must end the request.
    } else {
      response.end('not json');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

describe('httpGet', () => {
  it('returns status and body text', async () => {
    const result = await httpGet(`${base}/api/status`, 2_000);
    expect(result).toEqual({
      ok: true,
      status: 200,
      text: '{"obsConnected":true,"connectedClients":["a","b"]}',
    });
  });

  it('returns error statuses as answers', async () => {
    expect(await httpGet(`${base}/broken`, 2_000)).toEqual({ ok: true, status: 500, text: 'boom' });
  });

  it('refuses an answer too large to buffer', async () => {
    const result = await httpGet(`${base}/huge`, 2_000);
    expect(result).toEqual({ ok: false, error: 'answer larger than 262144 bytes' });
  });

  it('gives up after the timeout', async () => {
    expect(await httpGet(`${base}/silent`, 200)).toEqual({ ok: false, error: 'timed out' });
  });

  it('names a refused connection by its code', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    expect(await httpGet(`http://127.0.0.1:${port}/`, 2_000)).toEqual({
      ok: false,
      error: 'ECONNREFUSED',
    });
  });
});

describe('probeShowStatus', () => {
  it('reads the status fields', async () => {
    const probe = await probeShowStatus(base, () => 0);
    expect(probe).toMatchObject({ reachable: true, obsConnected: true, connectedClients: 2 });
  });

  it('reports a non-2xx answer as unreachable with the status', async () => {
    const probe = await probeShowStatus(`${base}/failing`, () => 0);
    expect(probe).toMatchObject({ reachable: false, error: '/api/status answered HTTP 500' });
  });
});
