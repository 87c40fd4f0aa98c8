// The whole vmpool on one machine: local RTDB server (data under the data folder), the Auth
// emulator with demo users, the local compute provider with the demo pool, the control
// endpoint and (unless headless) the web app. Every part is stopped in reverse order.
import { join, resolve } from 'node:path';
import { DEFAULT_POOL_CONFIG } from '@vmpool/core';
import { rulesForProfile } from '@vmpool/tools/rules';
import type { Logger } from '@vmpool/core/ports';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getDatabase } from 'firebase-admin/database';
import { startRtdbServerProcess, type RtdbServerProcess } from '../rtdb/index';
import { LocalCompute } from '../compute/index';
import { sigkillGroup } from '../compute/vm-processes';
import { startAuthEmulator } from './auth-emulator';
import type { StackConfig } from './config';
import { startControlPlane } from './control-plane';
import { startControlServer, type StackFaultHooks } from './control-server';
import { teeLogger } from './logger';
import { AGENT_HEARTBEAT_MS, seedDatabase, seedPool, seedUsers } from './seed';
import { takeStackLock } from './stack-lock';
import { startWebApp, webAppOrigins } from './web-app';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

export interface RunningStack {
  databaseUrl: string;
  authEmulatorHost: string;
  controlUrl: string;
  /** the HTTPS API's own server (the web app serves the same under /api/) */
  apiUrl: string;
  webUrl: string | null;
  compute: LocalCompute;
  stop(): Promise<void>;
  /** SIGKILLs every process group the stack started, at once (a second Ctrl-C). */
  killNow(): void;
}

type Stopper = { name: string; stop: () => Promise<unknown> };

export async function startStack(config: StackConfig, log: Logger): Promise<RunningStack> {
  const stoppers: Stopper[] = [];
  const helperPids: number[] = [];
  let stopping: Promise<void> | null = null;
  const stopAll = (): Promise<void> => (stopping ??= stopInOrder());
  const stopInOrder = async (): Promise<void> => {
    for (const { name, stop } of stoppers.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        log.error(`stopping ${name} failed`, { error: (error as Error).message });
      }
    }
  };
  try {
    const { lock, reaped } = await takeStackLock(config.dataDir);
    stoppers.push({ name: 'stack lock', stop: () => lock.release() });
    if (reaped.length > 0) log.warn('stopped processes left over by an earlier stack', { reaped });

    const rtdbOptions = {
      host: config.host,
      port: config.databasePort,
      // strict is database.rules.json itself; compat adds the show-controller's reads.
      rules:
        config.rulesProfile === 'strict'
          ? join(REPO_ROOT, 'database.rules.json')
          : rulesForProfile(config.rulesProfile, join(REPO_ROOT, 'database.rules.json')),
      data: join(config.dataDir, 'rtdb.json'),
      quiet: true,
      // Only the web app's pages may sign in: any other site open in the developer's browser
      // could otherwise present the owner token or a forged (unsigned) token.
      allowedOrigins: config.headless ? [] : webAppOrigins(config.host, config.webPort),
    };
    // The database runs in its own process, as production's runs apart from the functions:
    // the server and the functions host do not take turns on one thread.
    const stopRequested = new WeakSet<RtdbServerProcess>();
    const startDatabase = async (): Promise<RtdbServerProcess> => {
      const started = await startRtdbServerProcess(rtdbOptions);
      await lock.addHelper('database', started.pid, 'rtdb/process-child');
      void started.exited.then((how) => {
        if (!stopRequested.has(started)) log.error('the database process exited', { how });
      });
      return started;
    };
    const stopDatabase = (): Promise<void> => {
      stopRequested.add(rtdb);
      return rtdb.stop();
    };
    // `let`: the control endpoint can restart the database (same port, same data).
    let rtdb = await startDatabase();
    stoppers.push({ name: 'database', stop: stopDatabase });
    const databaseUrl = rtdb.databaseUrl(config.namespace);
    log.info('database ready', { url: databaseUrl, rules: config.rulesProfile });

    const authStarting = startAuthEmulator({
      repoRoot: REPO_ROOT,
      workDir: join(config.dataDir, 'auth'),
      host: config.host,
      port: config.authPort,
      projectId: config.namespace,
      javaHome: config.javaHome,
    });
    // The admin SDK finds the Auth emulator through this variable (and only through it).
    process.env.FIREBASE_AUTH_EMULATOR_HOST = `${config.host}:${config.authPort}`;
    const admin = initializeApp(
      { projectId: config.namespace, databaseURL: databaseUrl },
      'vmpool-stack',
    );
    stoppers.push({ name: 'admin SDK', stop: () => deleteApp(admin) });
    const now = Date.now();
    await seedDatabase(getDatabase(admin), config.bootDelayMs, now);

    const stateFile = join(config.dataDir, 'compute', 'state.json');
    if (await seedPool(stateFile, config.vmAddressPrefix, DEFAULT_POOL_CONFIG.tags, now))
      log.info('seeded the demo pool: vm-001 and vm-002 running, vm-003..vm-005 stopped');
    const compute = await LocalCompute.open({
      stateFile,
      vmsDir: join(config.dataDir, 'vms'),
      repoRoot: REPO_ROOT,
      databaseUrl,
      bootDelayMs: config.bootDelayMs,
      addressPrefix: config.vmAddressPrefix,
      // Heartbeats well inside the seeded agentStaleSeconds, so only a dead agent looks stale.
      agentArgs: [
        '--probe-interval-ms',
        String(config.probeIntervalMs),
        '--heartbeat-interval-ms',
        String(AGENT_HEARTBEAT_MS),
      ],
      clock: { now: () => Date.now() },
      logger: log,
      deferResume: true,
      agentRestartMs: config.agentRestartMs,
    });
    stoppers.push({ name: 'local VMs', stop: () => compute.close() });

    // The functions host, which the control endpoint can kill abruptly and start again.
    const host: { current: Awaited<ReturnType<typeof startControlPlane>> | null } = {
      current: null,
    };
    let hostOps: Promise<unknown> = Promise.resolve();
    let hostRestart: NodeJS.Timeout | null = null;
    let hostStopped = false;
    const serially = <T>(work: () => Promise<T>): Promise<T> => {
      const run = hostOps.then(work, work);
      hostOps = run.catch(() => undefined);
      return run;
    };
    const startHost = (reconcileAtStart: boolean) =>
      serially(async () => {
        if (host.current !== null || hostStopped) return false;
        host.current = await startControlPlane({
          databaseUrl,
          projectId: config.namespace,
          compute,
          reconcileIntervalMs: config.reconcileIntervalMs,
          // Every reconcile and request goes to the file; the console shows warnings and errors.
          logger: teeLogger(join(config.dataDir, 'logs', 'functions.log'), 'info', 'warn'),
          apiPort: config.apiPort,
          alertWebhook: config.alertWebhook,
          alertLevels: config.alertLevels,
          reconcileAtStart,
        });
        return true;
      });
    const faultHooks: StackFaultHooks = {
      crashFunctionsHost: (restartAfterMs) =>
        serially(async () => {
          if (host.current === null) return false;
          const dying = host.current;
          host.current = null;
          await dying.kill();
          log.warn('functions host killed', { restartAfterMs });
          if (restartAfterMs !== null) {
            if (hostRestart !== null) clearTimeout(hostRestart);
            hostRestart = setTimeout(() => {
              hostRestart = null;
              startHost(false).then(
                () => log.info('functions host restarted'),
                (error: unknown) =>
                  log.error('functions host restart failed', { error: String(error) }),
              );
            }, restartAfterMs);
          }
          return true;
        }),
      startFunctionsHost: () => startHost(false),
      restartDatabase: async (downMs) => {
        await stopDatabase();
        log.warn('database stopped', { downMs });
        if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
        rtdb = await startDatabase();
        log.info('database restarted', { port: rtdb.port });
      },
    };
    const control = await startControlServer(compute, config.controlPort, config.host, faultHooks);
    stoppers.push({ name: 'control endpoint', stop: () => control.stop() });

    const auth = await authStarting;
    stoppers.push({ name: 'auth emulator', stop: () => auth.stop() });
    await lock.addHelper('auth emulator', auth.pid, 'emulators:start');
    helperPids.push(auth.pid);
    await seedUsers(getAuth(admin));
    log.info('auth emulator ready with demo users', { host: auth.hostPort });

    // After the Auth emulator: the host reads admin claims through it.
    await startHost(true);
    const apiUrl = host.current?.httpUrl ?? '';
    stoppers.push({
      name: 'functions host',
      stop: () =>
        serially(async () => {
          hostStopped = true;
          if (hostRestart !== null) clearTimeout(hostRestart);
          await host.current?.stop();
        }),
    });
    // Power the saved VMs on now that the control plane has adopted them: their agents start
    // after adoption, as on EC2 where a VM's agent reports after the instance starts.
    compute.resumeSaved();
    log.info('functions host running', { reconcileIntervalMs: config.reconcileIntervalMs });

    let webUrl: string | null = null;
    if (!config.headless) {
      const web = await startWebApp({
        repoRoot: REPO_ROOT,
        logDir: join(config.dataDir, 'logs'),
        host: config.host,
        port: config.webPort,
        mode: config.webMode,
        authEmulatorHost: auth.hostPort,
        databaseHost: `${config.host}:${rtdb.port}`,
        namespace: config.namespace,
        apiUrl,
      });
      stoppers.push({ name: 'web app', stop: () => web.stop() });
      await lock.addHelper('web app', web.pid, 'vite');
      helperPids.push(web.pid);
      webUrl = web.url;
    }

    return {
      databaseUrl,
      authEmulatorHost: auth.hostPort,
      controlUrl: control.url,
      apiUrl,
      webUrl,
      compute,
      stop: stopAll,
      killNow: () => {
        compute.killAllNow();
        for (const pid of helperPids) sigkillGroup(pid);
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
