import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A moto server (EC2, SSM, S3, STS on loopback) started by a test and stopped by it. */
export interface MotoServer {
  endpoint: string;
  port: number;
  /** Forgets every resource (moto's own reset API). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Dummy credentials: moto accepts any. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilServing(endpoint: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`moto_server exited early with code ${String(child.exitCode)}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
      lastError = new Error(`HTTP ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`moto_server did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

/**
 * Starts moto on a free port. The port is free when chosen but another process may take it
 * before moto binds it (many suites start servers at once): moto then exits at once with
 * "Address already in use", and a new port is tried.
 */
export async function startMoto(timeoutMs = 60_000): Promise<MotoServer> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startMotoOnce(await freePort(), timeoutMs);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('Address already in use')) throw error;
    }
  }
}

async function startMotoOnce(port: number, timeoutMs: number): Promise<MotoServer> {
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, AWS_DEFAULT_REGION: 'us-east-1' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitUntilServing(endpoint, child, timeoutMs);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${String(error)}\n${stderr}`);
  }
  return {
    endpoint,
    port,
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
