// The stack's control endpoint, for demos and browser tests (loopback only):
//   GET  /__local/vms                  the local VMs, their addresses and process ids
//   POST /__local/vms/:vmId/kill-agent SIGKILL that VM's agent (the VM keeps running)
//   POST /__local/vms/:vmId/crash      SIGKILL every process of that VM at once (agent, show
//                                      server, OBS stand-in); the instance stays "running"
//   POST /__local/vms/:vmId/obs        {"connected": false}, {"streaming": true}, {"ingestLost": true},
//                                      {"droppedFramesPercent": 12}, …: forwarded to its show
//                                      server, which switches its OBS stand-in (local/README.md)
// Faults for the chaos suite (local/README.md, "Faults"):
//   GET    /__local/ec2/faults            the armed EC2 faults
//   POST   /__local/ec2/faults            {"op":"start"|"launch","error":"RequestLimitExceeded"|
//                                        "InsufficientInstanceCapacity","count":N}: the next N calls fail so
//   DELETE /__local/ec2/faults            disarms them all
//   POST   /__local/functions-host/crash  {"restartAfterMs":N}: the functions host dies at once (no
//                                        orderly stop); back after N ms, or at POST …/start if N is absent
//   POST   /__local/functions-host/start  starts it again (409 when it runs)
//   POST   /__local/rtdb/restart          {"downMs":N}: the database stops and comes back on the same
//                                        port with the same data after N ms (default 0)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isValidVmId } from '@vmpool/core';
import {
  EC2_FAULT_ERRORS,
  EC2_FAULT_OPS,
  type Ec2FaultError,
  type Ec2FaultOp,
  type LocalCompute,
} from '../compute/index';

/** What the stack lets the control endpoint break and bring back (the chaos suite's faults). */
export interface StackFaultHooks {
  /** Kills the functions host abruptly; false when it was not running. */
  crashFunctionsHost(restartAfterMs: number | null): Promise<boolean>;
  /** Starts the functions host again; false when it was running. */
  startFunctionsHost(): Promise<boolean>;
  /** Stops the database and starts it again on the same port with the same data. */
  restartDatabase(downMs: number): Promise<void>;
}

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
  hooks: StackFaultHooks | null = null,
): Promise<ControlServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/__local/vms') return send(res, 200, compute.list());
    if (path.startsWith('/__local/ec2/') || path.startsWith('/__local/functions-host/'))
      return handleFault(req, res, path, compute, hooks);
    if (path === '/__local/rtdb/restart') return handleFault(req, res, path, compute, hooks);
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

// The chaos suite's faults: EC2 errors, the functions host dying, the database restarting.
async function handleFault(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  compute: LocalCompute,
  hooks: StackFaultHooks | null,
): Promise<void> {
  if (path === '/__local/ec2/faults') {
    if (req.method === 'GET') return send(res, 200, compute.faults());
    if (req.method === 'DELETE') {
      compute.clearFaults();
      return send(res, 200, []);
    }
    if (req.method !== 'POST') return send(res, 405, { error: `${req.method ?? ''} ${path}` });
    const body = parseJson(await readBody(req));
    const op = body?.op;
    const error = body?.error;
    const count = body?.count ?? 1;
    const problems: string[] = [];
    if (!EC2_FAULT_OPS.includes(op as Ec2FaultOp))
      problems.push(`op must be ${EC2_FAULT_OPS.join(' or ')}`);
    if (typeof error !== 'string' || !Object.hasOwn(EC2_FAULT_ERRORS, error))
      problems.push(`error must be ${Object.keys(EC2_FAULT_ERRORS).join(' or ')}`);
    if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 1000)
      problems.push('count must be an integer in 1..1000');
    if (problems.length > 0) return send(res, 400, { error: problems.join('; ') });
    return send(
      res,
      200,
      compute.armFault(op as Ec2FaultOp, error as Ec2FaultError, count as number),
    );
  }
  if (req.method !== 'POST') return send(res, 405, { error: `${req.method ?? ''} ${path}` });
  if (hooks === null) return send(res, 404, { error: `no route POST ${path}` });
  const body = parseJson(await readBody(req));
  const delay = (name: string, fallback: number | null): number | null | string => {
    const value = body?.[name] ?? fallback;
    if (value === null) return null;
    return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 600_000
      ? (value as number)
      : `${name} must be an integer in 0..600000`;
  };
  if (path === '/__local/functions-host/crash') {
    const restartAfterMs = delay('restartAfterMs', null);
    if (typeof restartAfterMs === 'string') return send(res, 400, { error: restartAfterMs });
    const killed = await hooks.crashFunctionsHost(restartAfterMs);
    if (!killed) return send(res, 409, { error: 'the functions host is not running' });
    return send(res, 200, { killed: true, restartAfterMs });
  }
  if (path === '/__local/functions-host/start') {
    const started = await hooks.startFunctionsHost();
    if (!started) return send(res, 409, { error: 'the functions host is running' });
    return send(res, 200, { started: true });
  }
  if (path === '/__local/rtdb/restart') {
    const downMs = delay('downMs', 0);
    if (typeof downMs === 'string' || downMs === null)
      return send(res, 400, { error: String(downMs) });
    await hooks.restartDatabase(downMs);
    return send(res, 200, { restarted: true, downMs });
  }
  return send(res, 404, { error: `no route POST ${path}` });
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
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
