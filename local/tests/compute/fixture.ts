// A local RTDB server plus a LocalCompute over a temporary data folder, with real processes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { memoryLogger } from '@vmpool/core/ports';
import { startRtdbServer, type RtdbServer } from '@vmpool/local/rtdb';
import { LocalCompute, type LocalComputeOptions } from '../../src/compute/index';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const NAMESPACE = 'demo-vmpool';

export interface ComputeFixture {
  rtdb: RtdbServer;
  dir: string;
  options: LocalComputeOptions;
  open(): Promise<LocalCompute>;
  cleanup(): Promise<void>;
}

let prefixCounter = 0;

/** A loopback /24 per fixture in 127.100-149.x (the stack tests use 127.150-249.x). */
function addressPrefix(): string {
  // pids that share the second octet differ in pid / 50, so the third octet tells them apart.
  const second = 100 + (process.pid % 50);
  const third = 10 + ((Math.floor(process.pid / 50) + prefixCounter++ * 37) % 240);
  return `127.${second}.${third}`;
}

export async function computeFixture(
  overrides: Partial<LocalComputeOptions> = {},
): Promise<ComputeFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'vmpool-compute-'));
  const rtdb = await startRtdbServer({ port: 0, quiet: true });
  const opened: LocalCompute[] = [];
  const options: LocalComputeOptions = {
    stateFile: join(dir, 'compute.json'),
    vmsDir: join(dir, 'vms'),
    repoRoot: REPO_ROOT,
    databaseUrl: rtdb.databaseUrl(NAMESPACE),
    bootDelayMs: 300,
    stopDelayMs: 100,
    rebootDelayMs: 100,
    agentArgs: ['--probe-interval-ms', '1000', '--heartbeat-interval-ms', '1000'],
    addressPrefix: addressPrefix(),
    clock: { now: () => Date.now() },
    logger: memoryLogger(),
    ...overrides,
  };
  return {
    rtdb,
    dir,
    options,
    async open() {
      const compute = await LocalCompute.open(options);
      opened.push(compute);
      return compute;
    },
    async cleanup() {
      await Promise.all(opened.map((compute) => compute.close()));
      await rtdb.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
