// `npm start` as a user runs it, on free ports and a data folder of its own, stopped the way
// a user stops it (Ctrl-C to its process group).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

export interface LocalStack {
  webUrl: string;
  controlUrl: string;
  dataDir: string;
  addressPrefix: string;
  /** everything the stack printed */
  output(): string;
  killAgent(vmId: string): Promise<{ killed: boolean; pid?: number }>;
  /** Ctrl-C, then waits until every process writing to its terminal is gone; true if it said it stopped cleanly */
  stop(): Promise<boolean>;
  /** command lines of processes still running that belong to this stack */
  leftovers(): Promise<string[]>;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => child.once('exit', (code) => done(code)));
}

export async function startLocalStack(options: {
  bootDelayMs: number;
  readyTimeoutMs: number;
}): Promise<LocalStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vmpool-e2e-'));
  const [db, auth, web, control, api] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const addressPrefix = `127.0.${200 + (process.pid % 50)}`;
  await mkdir(ARTIFACTS, { recursive: true });
  const log = createWriteStream(join(ARTIFACTS, 'e2e-stack.log'));
  const args = [
    'start',
    '--',
    '--data-dir',
    dataDir,
    '--db-port',
    String(db),
    '--auth-port',
    String(auth),
    '--web-port',
    String(web),
    '--control-port',
    String(control),
    '--api-port',
    String(api),
    '--vm-address-prefix',
    addressPrefix,
    '--boot-delay-ms',
    String(options.bootDelayMs),
    // Slow enough that the warm-minimum top-up cannot turn the cold assignment into a warm
    // one; requests, agent reports and alerts are trigger-driven and do not wait for it.
    '--reconcile-interval-ms',
    '30000',
    '--probe-interval-ms',
    '2000',
  ];
  // Its own process group, as a terminal would give it, so Ctrl-C reaches npm, tsx and node.
  const child = spawn('npm', args, {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    log.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const until = Date.now() + options.readyTimeoutMs;
  while (!output.includes('vmpool is ready')) {
    if (child.exitCode !== null || Date.now() > until) {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGINT');
      await exited(child);
      throw new Error(`npm start did not become ready:\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const controlUrl = `http://127.0.0.1:${control}`;
  return {
    webUrl: `http://127.0.0.1:${web}`,
    controlUrl,
    dataDir,
    addressPrefix,
    output: () => output,
    async killAgent(vmId) {
      const response = await fetch(`${controlUrl}/__local/vms/${vmId}/kill-agent`, {
        method: 'POST',
      });
      return (await response.json()) as { killed: boolean; pid?: number };
    },
    async stop() {
      // npm itself dies of the Ctrl-C at once; the stack behind it keeps the output pipe open
      // until it has stopped everything, so 'close' marks the real end.
      const closed = new Promise<void>((done) => {
        if (child.stdout === null || child.stdout.closed) done();
        else child.stdout.once('close', () => done());
      });
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGINT');
      const outcome = await Promise.race([
        closed.then(() => 'closed' as const),
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000)),
      ]);
      log.end();
      if (outcome === 'timeout') {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        throw new Error('npm start did not stop within 60 s of Ctrl-C');
      }
      return output.includes('vmpool stopped');
    },
    async leftovers() {
      const found: string[] = [];
      for (const entry of await readdir('/proc')) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        let line: string;
        try {
          line = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0').join(' ');
        } catch {
          continue;
        }
        if (
          line.includes(dataDir) ||
          line.includes(`${addressPrefix}.`) ||
          line.includes(`--port ${web}`)
        )
          found.push(`${entry}: ${line.slice(0, 200)}`);
      }
      return found;
    },
  };
}

/** Keeps the control plane's log beside the screenshots, then removes the stack's data. */
export async function removeDataDir(stack: LocalStack): Promise<void> {
  await copyFile(
    join(stack.dataDir, 'logs', 'functions.log'),
    join(ARTIFACTS, 'e2e-functions.log'),
  ).catch(() => undefined);
  await rm(stack.dataDir, { recursive: true, force: true });
}
