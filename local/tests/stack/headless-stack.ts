// `tsx local/src/stack/main.ts --headless` as a child process on free ports, for the stack tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

export interface StackPorts {
  db: number;
  auth: number;
  control: number;
  /** the HTTPS API; a free port when absent */
  api?: number;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface RunningHeadless {
  child: ChildProcess;
  output(): string;
  /** SIGINT, then resolves with the exit code once the process is gone */
  stop(): Promise<number | null>;
}

export async function startHeadless(
  dataDir: string,
  ports: StackPorts,
  addressPrefix: string,
  readyTimeoutMs: number,
  extraArgs: readonly string[] = [],
): Promise<RunningHeadless> {
  const apiPort = ports.api ?? (await freePort());
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'local/src/stack/main.ts',
      '--headless',
      '--data-dir',
      dataDir,
      '--db-port',
      String(ports.db),
      '--auth-port',
      String(ports.auth),
      '--control-port',
      String(ports.control),
      '--vm-address-prefix',
      addressPrefix,
      '--boot-delay-ms',
      '1000',
      '--api-port',
      String(apiPort),
      ...extraArgs,
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const until = Date.now() + readyTimeoutMs;
  while (!output.includes('vmpool is ready')) {
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGINT');
      await exited;
      throw new Error(`the stack did not become ready:\n${output.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    output: () => output,
    async stop() {
      child.kill('SIGINT');
      return exited;
    },
  };
}
