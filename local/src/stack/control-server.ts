// The stack's control endpoint, for demos and browser tests (loopback only):
//   GET  /__local/vms                  the local VMs, their addresses and process ids
//   POST /__local/vms/:vmId/kill-agent SIGKILL that VM's agent (the VM keeps running)
//   POST /__local/vms/:vmId/crash      SIGKILL every process of that VM at once (agent, show
//                                      server, OBS stand-in); the instance stays "running"
//   POST /__local/vms/:vmId/obs        {"connected": false}, {"streaming": true}, {"ingestLost": true},
//                                      {"droppedFramesPercent": 12}, …: forwarded to its show
//                                      server, which switches its OBS stand-in (local/README.md)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isValidVmId } from '@vmpool/core';
import type { LocalCompute } from '../compute/index';

export interface ControlServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024;
/** `vmId` is checked with core's `isValidVmId` below. */
const ROUTE = /^\/__local\/vms\/([^/]+)\/(kill-agent|crash|obs)$/;

export async function startControlServer(
  compute: LocalCompute,
  port: number,
  host = '127.0.0.1',
): Promise<ControlServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/__local/vms') return send(res, 200, compute.list());
    const match = ROUTE.exec(path);
    if (req.method !== 'POST' || !match || !isValidVmId(match[1]))
      return send(res, 404, { error: `no route ${req.method ?? ''} ${path}` });
    const [, vmId = '', action] = match;
    if (action === 'kill-agent') {
      const result = compute.killAgent(vmId);
      if (result.killed) return send(res, 200, { vmId, ...result });
      return send(res, result.reason === 'NOT_FOUND' ? 404 : 409, {
        vmId,
        error:
          result.reason === 'NOT_FOUND'
            ? `no local VM ${vmId}`
            : `the agent of ${vmId} is not running`,
      });
    }
    if (action === 'crash') {
      const result = compute.crash(vmId);
      if (result.crashed) return send(res, 200, { vmId, ...result });
      return send(res, result.reason === 'NOT_FOUND' ? 404 : 409, {
        vmId,
        error:
          result.reason === 'NOT_FOUND'
            ? `no local VM ${vmId}`
            : `no process of ${vmId} is running`,
      });
    }
    const vm = compute.list().find((candidate) => candidate.vmId === vmId);
    if (!vm) return send(res, 404, { vmId, error: `no local VM ${vmId}` });
    const body = await readBody(req);
    try {
      const response = await fetch(`${vm.showServerUrl}/__control/obs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(5000),
      });
      return send(res, response.status, await response.json());
    } catch (error) {
      return send(res, 502, {
        vmId,
        error: `show server unreachable: ${(error as Error).message}`,
      });
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: (error as Error).message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('control server has no port');
  return {
    port: address.port,
    url: `http://${host}:${address.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new Error(`body larger than ${MAX_BODY_BYTES} bytes`));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8') || '{}'));
    req.on('error', reject);
  });
}
