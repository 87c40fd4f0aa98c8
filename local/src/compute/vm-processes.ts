// The processes behind one local "VM": a stand-in show server on the VM's own loopback address
// (with the OBS stand-in, obs-websocket v5 on port 4455 of the same address) and the real
// agent in local mode. Each runs in its own process group (so a stop takes its
// children too) and writes straight into the VM's log folder, so it keeps running even if
// the stack that started it goes away.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SERVICE_PORTS } from '@vmpool/core';
import { INSTALLED_AGENT, installAgent, installVmctl } from './vm-programs';

export interface VmProcessSpec {
  vmId: string;
  vmDir: string;
  address: string;
  showServerPort: number;
  databaseUrl: string;
  repoRoot: string;
  /** extra agent flags, e.g. `--probe-interval-ms 2000` */
  agentArgs: readonly string[];
  /** how long the agent's start waits for the show server to answer /api/status (not fatal) */
  readyTimeoutMs: number;
  /**
   * Told each process's pid as soon as it exists (before the show server serves), so the
   * caller can record it: a stack killed right then still leaves the pid for the next start
   * to stop.
   */
  onSpawned?: (name: 'show-server' | 'agent', pid: number) => Promise<void> | void;
}

export interface VmProcesses {
  agentPid: number;
  showServerPid: number;
  showServerUrl: string;
}

export const SHOW_SERVER_SCRIPT = 'local/src/show-server/main.ts';
export const AGENT_SCRIPT = 'agent/src/main.ts';

export const vmLogFile = (vmDir: string, name: string): string =>
  join(vmDir, 'logs', `${name}.log`);

/** A line in the same journal format vmctl writes, so `view_logs` reads one story. */
export async function journal(vmDir: string, unit: string, message: string): Promise<void> {
  await mkdir(join(vmDir, 'logs'), { recursive: true });
  await appendFile(vmLogFile(vmDir, unit), `${new Date().toISOString()} ${unit}: ${message}\n`);
}

/** `args` run as `node ARGS`: a TypeScript source needs `--import tsx` before it. */
async function spawnLogged(
  spec: VmProcessSpec,
  logName: string,
  args: readonly string[],
): Promise<ChildProcess> {
  await mkdir(join(spec.vmDir, 'logs'), { recursive: true });
  const log = await open(vmLogFile(spec.vmDir, logName), 'a');
  try {
    const child = spawn(process.execPath, args, {
      cwd: spec.repoRoot,
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: { ...process.env, NODE_ENV: 'development' },
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    return child;
  } finally {
    await log.close();
  }
}

/**
 * Waits until the show server answers /api/status; false when it did not within `timeoutMs`.
 * Each try may take a few seconds: on a loaded machine the answer (and this process's own event
 * loop) can be slow, and a try cut short too soon would never succeed.
 */
async function waitForShowServer(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`show server exited (${child.exitCode ?? child.signalCode}) before serving`);
    try {
      const response = await fetch(`${url}/api/status`, { signal: AbortSignal.timeout(5000) });
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return false;
}

/** Where a local VM's OBS stand-in listens, as OBS does on a real VM. */
export const OBS_WEBSOCKET_PORT = SERVICE_PORTS.obsWebsocket ?? 4455;

/**
 * Starts the show server, waits (at most `readyTimeoutMs`) until it serves, then starts the agent
 * beside it. As systemd on a VM (ami/systemd: vmpool-agent.service does not require
 * show-server.service), a show server that is slow or fails does not keep the agent from
 * starting: the agent reports the show server as it finds it. A slow one is left running.
 */
export async function startVmProcesses(spec: VmProcessSpec): Promise<VmProcesses> {
  const showServerUrl = `http://${spec.address}:${spec.showServerPort}`;
  await journal(spec.vmDir, 'show-server', `Starting show server on ${showServerUrl}`);
  const show = await spawnLogged(spec, 'show-server', [
    '--import',
    'tsx',
    SHOW_SERVER_SCRIPT,
    '--host',
    spec.address,
    '--port',
    String(spec.showServerPort),
    '--obs-websocket-port',
    String(OBS_WEBSOCKET_PORT),
    // The agent's vmDirLayout(vmDir).obsConfig: where the agent exports and imports OBS state.
    '--obs-config-dir',
    join(spec.vmDir, 'obs-config'),
  ]);
  if (show.pid === undefined) throw new Error('spawn returned no pid');
  await spec.onSpawned?.('show-server', show.pid);
  try {
    const serving = await waitForShowServer(showServerUrl, show, spec.readyTimeoutMs);
    await journal(
      spec.vmDir,
      'show-server',
      serving
        ? 'Started show-server.service'
        : `Not answering ${showServerUrl}/api/status after ${spec.readyTimeoutMs} ms; still starting`,
    );
  } catch (error) {
    await journal(spec.vmDir, 'show-server', `Failed: ${(error as Error).message}`);
  }
  const agentPid = await startAgentProcess(spec);
  return { agentPid, showServerPid: show.pid, showServerUrl };
}

/**
 * Starts a VM's agent (beside its running show server); returns its pid. Also how a local VM's
 * "systemd" restarts an agent that died (`Restart=always`).
 */
export async function startAgentProcess(spec: VmProcessSpec): Promise<number> {
  const showServerUrl = `http://${spec.address}:${spec.showServerPort}`;
  const obsWebsocketUrl = `ws://${spec.address}:${OBS_WEBSOCKET_PORT}`;
  // The agent and its vmctl as the VM has them installed (built once per stack); from source
  // through tsx if a build failed. The agent picks its vmctl when it starts.
  const fromSource = (what: string) => (error: unknown) =>
    journal(
      spec.vmDir,
      'vmpool-agent.console',
      `${what} not installed, running it from source: ${(error as Error).message}`,
    ).then(() => null);
  const [agentProgram] = await Promise.all([
    installAgent(spec.repoRoot, spec.vmDir).catch(fromSource('the agent')),
    installVmctl(spec.repoRoot, spec.vmDir).catch(fromSource('vmctl')),
  ]);
  // The agent keeps its own journal (logs/vmpool-agent.log, for `view_logs`); its raw
  // stdout and stderr (crashes before its logger exists included) go beside it.
  const agent = await spawnLogged(spec, 'vmpool-agent.console', [
    ...(agentProgram === null ? ['--import', 'tsx', AGENT_SCRIPT] : [agentProgram]),
    '--local',
    '--vm-id',
    spec.vmId,
    '--database-url',
    spec.databaseUrl,
    '--show-server',
    showServerUrl,
    '--obs-websocket-url',
    obsWebsocketUrl,
    '--vm-dir',
    spec.vmDir,
    '--state-dir',
    join(spec.vmDir, 'agent-state'),
    ...spec.agentArgs,
  ]);
  if (agent.pid === undefined) throw new Error('spawn returned no pid');
  await spec.onSpawned?.('agent', agent.pid);
  return agent.pid;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * SIGTERM to the whole process group, SIGKILL after `graceMs`. Resolves once the group
 * leader is gone. A pid of a process that no longer exists is fine.
 */
export async function killGroup(pid: number | null | undefined, graceMs: number): Promise<void> {
  if (pid == null || !isAlive(pid)) return;
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-pid, name);
    } catch {
      // already gone
    }
  };
  signal(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  const until = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) {
    signal('SIGKILL');
    const hardUntil = Date.now() + 5000;
    while (isAlive(pid) && Date.now() < hardUntil) await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGKILL to the agent's group only: the "VM" keeps running, its agent is gone. */
export function sigkillGroup(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    process.kill(-pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `pid` is still one of this VM's processes (a saved pid may have been reused by an
 * unrelated process after a crash; never signal those).
 */
export async function isVmProcess(pid: number, vmMarker: string): Promise<boolean> {
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return (
      cmdline.includes(vmMarker) &&
      (cmdline.includes(AGENT_SCRIPT) ||
        cmdline.includes(SHOW_SERVER_SCRIPT) ||
        cmdline.some((arg) => arg.endsWith(`/${INSTALLED_AGENT}`)))
    );
  } catch {
    return false;
  }
}
