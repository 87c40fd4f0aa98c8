// What the agent's integration tests run against: the local RTDB server with the project's
// rules, the stand-in show server, an admin-SDK client (the control plane) and the agent as
// a real child process, started exactly like `npm run agent`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getDatabase, type Database } from 'firebase-admin/database';
import { startRtdbServer, type RtdbServer } from '@vmpool/local/rtdb';
import { startShowServer, type ShowServer } from '@vmpool/local/show-server';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const RULES_FILE = join(REPO_ROOT, 'database.rules.json');
const MAIN = join(REPO_ROOT, 'agent/src/main.ts');
// One process, as on a VM (a tsx CLI wrapper would survive a SIGKILL of the agent).
const TSX_LOADER = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

let counter = 0;

export interface TestStack {
  rtdb: RtdbServer;
  show: ShowServer;
  ns: string;
  databaseUrl: string;
  /** The control plane: firebase-admin, owner, rules bypassed. */
  admin: Database;
  tmp: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** The database server's clock minus the real one (to test agents with skewed clocks). */
  serverClockOffsetMs?: number;
  /** The OBS stand-in asks for this password. */
  obsWebsocketPassword?: string;
  /**
   * The OBS stand-in keeps its scene collections and profiles in this VM's obs-config (the
   * directory spawnAgent gives that VM), as a local VM's does (issue 12).
   */
  obsConfigOf?: string;
}

export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  if (!existsSync(RULES_FILE)) throw new Error(`${RULES_FILE} is missing`);
  const offset = options.serverClockOffsetMs ?? 0;
  const rtdb = await startRtdbServer({
    port: 0,
    rules: RULES_FILE,
    quiet: true,
    clock: () => Date.now() + offset,
  });
  const tmp = await mkdtemp(join(tmpdir(), 'vmpool-agent-'));
  const show = await startShowServer({
    port: 0,
    obsRestartMs: 500,
    ...(options.obsWebsocketPassword === undefined
      ? {}
      : { obsWebsocketPassword: options.obsWebsocketPassword }),
    ...(options.obsConfigOf === undefined
      ? {}
      : { obsConfigDir: join(tmp, 'vms', options.obsConfigOf, 'obs-config') }),
  });
  counter += 1;
  const ns = `agent${process.pid}x${counter}`;
  const databaseUrl = rtdb.databaseUrl(ns);
  const app: App = initializeApp(
    { databaseURL: databaseUrl, projectId: 'demo-vmpool' },
    `control-plane-${ns}`,
  );
  return {
    rtdb,
    show,
    ns,
    databaseUrl,
    admin: getDatabase(app),
    tmp,
    async stop() {
      await deleteApp(app);
      await show.stop();
      await rtdb.stop();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

export interface AgentProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** The agent's entry point in one process, with the given arguments. */
export function spawnAgentProcess(args: string[], cwd: string): AgentProcess {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, MAIN, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')),
  );
  return { child, output: () => output, exited };
}

export function spawnAgent(stack: TestStack, vmId: string, extra: string[] = []): AgentProcess {
  return spawnAgentProcess(
    [
      '--local',
      '--vm-id',
      vmId,
      '--database-url',
      stack.databaseUrl,
      '--show-server',
      stack.show.url,
      '--obs-websocket-url',
      stack.show.obsWebsocketUrl,
      '--state-dir',
      join(stack.tmp, 'state', vmId),
      '--vm-dir',
      join(stack.tmp, 'vms', vmId),
      '--probe-interval-ms',
      '300',
      '--metrics-interval-ms',
      '1000',
      '--heartbeat-interval-ms',
      '1000',
      ...extra,
    ],
    REPO_ROOT,
  );
}

export async function killAgent(agent: AgentProcess): Promise<void> {
  if (agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill('SIGKILL');
  await agent.exited;
}

/** Waits until the value at `path` satisfies `check`; fails with the last value seen. */
export function waitForValue<T = unknown>(
  db: Database,
  path: string,
  check: (value: T | null) => boolean,
  timeoutMs = 30_000,
  agent?: AgentProcess,
): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    let last: unknown = null;
    const ref = db.ref(path);
    const timer = setTimeout(() => {
      ref.off('value', listener);
      reject(
        new Error(
          `timed out waiting on ${path}; last value ${JSON.stringify(last)}${agent ? `\nagent output:\n${agent.output()}` : ''}`,
        ),
      );
    }, timeoutMs);
    const listener = ref.on('value', (snapshot) => {
      last = snapshot.val();
      if (check(last as T | null)) {
        clearTimeout(timer);
        ref.off('value', listener);
        resolvePromise(last as T);
      }
    });
  });
}

/** What the control plane does before an agent may register: the VM's record. */
export async function seedVm(db: Database, vmId: string): Promise<void> {
  await db.ref(`vmPool/vms/${vmId}`).set({
    vmId,
    instanceId: `local-${vmId}`,
    region: 'local',
    status: 'available',
    statusChangedAt: Date.now(),
    createdAt: Date.now(),
  });
}

/** Starts an agent and waits until it is registered and online. */
export async function startRegisteredAgent(
  stack: TestStack,
  vmId: string,
  extra: string[] = [],
): Promise<AgentProcess> {
  await seedVm(stack.admin, vmId);
  const agent = spawnAgent(stack, vmId, extra);
  await waitForValue<{ online?: boolean; bootId?: string }>(
    stack.admin,
    `vmPool/vms/${vmId}/agent`,
    (agentReport) => agentReport?.online === true,
    60_000,
    agent,
  );
  return agent;
}
