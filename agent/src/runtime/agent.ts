// Wires the agent together: identity, sign-in, registration and presence, probes, metrics
// and commands. Each part survives the others failing; stop() shuts down in order.
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { PREVIEW_INTERVAL_MS, SERVICE_PORTS, type CommandArgs } from '@vmpool/core';
import type { Logger } from '@vmpool/core/ports';
import type { AgentConfig } from '../config/config';
import { CommandExecutor } from '../commands/executor';
import { createPlanner, productionCommandEnv } from '../commands/catalogue';
import { localCommandEnv } from '../local/command-env';
import { ensureVmDir } from '../local/vm-dir';
import { localIdentity } from '../identity/local-identity';
import { AgentSession } from '../identity/session';
import { exchangeIdentity } from '../identity/token-client';
import type { InstanceIdentity } from '../identity/types';
import { MetricsLoop } from '../metrics/metrics-loop';
import { MetricsSampler } from '../metrics/sampler';
import { ObsLink } from '../obs/obs-link';
import { StreamLoop } from '../obs/stream-loop';
import { PreviewPublisher } from '../preview/publisher';
import { ProbeLoop } from '../probes/probe-loop';
import { SocketLink } from '../probes/socket-link';
import { fileUnitSource, systemdUnitSource } from '../probes/units';
import { AgentReporter } from '../report/reporter';
import { backoffDelay, DEFAULT_BACKOFF } from '../util/backoff';
import { AGENT_VERSION } from '../version';
import { localFirebase, productionFirebase, type FirebaseClients } from './firebase';
import { ServerClock } from './server-clock';
import { loadOrCreateState } from './state-file';
import { SystemdNotifier, watchdogIntervalMs, type SystemdEnv } from './systemd';
import { localStateArchive, type StateArchive } from '../state/archive';
import { StateExportLoop } from '../state/export-loop';
import { importState } from '../state/import';

export interface RunningAgent {
  vmId: string;
  bootId: string;
  stop(): Promise<void>;
}

const COMMAND_GRACE_MS = 5_000;
const OUTPUT_INTERVAL_MS = 1_000;
/** obs-websocket handshake and request limit; a hung OBS is dropped and reconnected. */
const OBS_TIMEOUT_MS = 5_000;
/** After OBS announces a change, the export waits this long for OBS to save its files. */
const STATE_EXPORT_SETTLE_MS = 3_000;
const OBS_BACKOFF = { initialMs: 1_000, maxMs: 30_000, factor: 2 };

async function readIdentityWithRetry(
  endpoint: string | undefined,
  log: Logger,
): Promise<InstanceIdentity> {
  // Loaded only on EC2: the AWS SDK's modules cost about 6 MB that local mode never needs.
  const { createMetadataService, readInstanceIdentity } = await import('../identity/imds');
  const service = createMetadataService(endpoint ? { endpoint } : {});
  for (let attempt = 0; ; attempt++) {
    try {
      return await readInstanceIdentity(service);
    } catch (error) {
      const delay = backoffDelay(attempt, DEFAULT_BACKOFF, Math.random);
      log.warn(
        `instance metadata unavailable (attempt ${attempt + 1}); retrying in ${Math.round(delay / 1000)} s`,
        { error },
      );
      await new Promise((done) => setTimeout(done, delay));
    }
  }
}

/** The state export store the config names (the S3 client is created once, here). */
async function openStateArchive(
  config: AgentConfig,
  region: string,
): Promise<(StateArchive & { close?: () => void }) | null> {
  const store = config.stateStore;
  if (store.kind === 'local-archive' && config.mode === 'local') {
    return localStateArchive(config.vmDir);
  }
  if (store.kind !== 's3') return null;
  // Loaded only when used, like the IMDS client: local mode without S3 never needs it.
  const { s3StateArchive } = await import('../state/s3-archive');
  // A local VM's region is "local": an S3 stand-in takes any region.
  const s3Region = config.mode === 'local' ? 'us-east-1' : region;
  return s3StateArchive({
    bucket: store.bucket,
    region: s3Region,
    ...(store.endpoint === undefined ? {} : { endpoint: store.endpoint }),
  });
}

function obsWebsocketPort(url: string): number {
  const parsed = new URL(url);
  return Number(parsed.port || (parsed.protocol === 'wss:' ? 443 : 80));
}

export async function startAgent(
  config: AgentConfig,
  log: Logger,
  systemdEnv: SystemdEnv,
): Promise<RunningAgent> {
  const bootId = randomUUID();
  const startedAtLocal = Date.now();
  const notifier = new SystemdNotifier(systemdEnv, log);
  log.info('agent starting', { version: AGENT_VERSION, bootId, mode: config.mode });

  let identity: InstanceIdentity;
  let clients: FirebaseClients;
  let vmId: string;
  let session: AgentSession | undefined;
  if (config.mode === 'local') {
    identity = localIdentity(config.vmId, config);
    await ensureVmDir(config.vmDir);
    clients = localFirebase(config.databaseUrl, {
      vmId: config.vmId,
      instanceId: identity.instanceId,
    });
    vmId = config.vmId;
  } else {
    notifier.status('reading instance identity');
    identity = await readIdentityWithRetry(config.imdsEndpoint, log.child({ component: 'imds' }));
    const { document, signature } = identity;
    if (document === null || signature === null)
      throw new Error('IMDS returned no identity document');
    const state = await loadOrCreateState(config.stateDir, identity.instanceId, Date.now());
    clients = await productionFirebase(config.databaseUrl, config.firebase, config.authEmulator);
    notifier.status('exchanging identity for a token');
    session = new AgentSession({
      exchange: () =>
        exchangeIdentity(config.functionsBaseUrl, { document, signature, nonce: state.nonce }),
      signIn: clients.signIn,
      log: log.child({ component: 'auth' }),
      now: () => Date.now(),
      random: Math.random,
    });
    vmId = (await session.start()).vmId;
  }
  const db = clients.db;
  const clock = new ServerClock(db);

  const reporter = new AgentReporter(
    db,
    vmId,
    {
      instanceId: identity.instanceId,
      region: identity.region,
      availabilityZone: identity.availabilityZone,
      instanceType: identity.instanceType,
      publicIp: identity.publicIp,
      privateIp: identity.privateIp,
      bootId,
      version: AGENT_VERSION,
      startedAt: startedAtLocal,
    },
    {
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      refreshIntervalMs: config.refreshIntervalMs,
    },
    clock,
    log.child({ component: 'report' }),
  );
  reporter.start();

  const socket = new SocketLink(config.showServerUrl);
  const units =
    config.mode === 'local'
      ? fileUnitSource(join(config.vmDir, 'units.json'))
      : systemdUnitSource();
  const probes = new ProbeLoop(
    {
      mode: config.mode,
      intervalMs: config.probeIntervalMs,
      showServerUrl: config.showServerUrl,
      nimbleStatsUrl: config.nimbleStatsUrl,
      ports: {
        obsWebsocket: obsWebsocketPort(config.obsWebsocketUrl),
        noMachine: SERVICE_PORTS.noMachine,
      },
    },
    socket,
    units,
    clock,
    log.child({ component: 'probe' }),
    (services, show) => reporter.reportProbes(services, show),
  );
  probes.start();

  const metrics = new MetricsLoop(
    new MetricsSampler(config.diskPath),
    config.metricsIntervalMs,
    clock,
    log.child({ component: 'metrics' }),
    (sample) => reporter.reportMetrics(sample),
  );
  metrics.start();

  // OBS over obs-websocket: stream health, OBS stats and the live preview.
  const obs = new ObsLink(
    {
      url: config.obsWebsocketUrl,
      password: config.obsWebsocketPassword,
      timeoutMs: OBS_TIMEOUT_MS,
      backoff: OBS_BACKOFF,
      random: Math.random,
    },
    log.child({ component: 'obs' }),
  );
  const stream = new StreamLoop(
    obs,
    config.streamIntervalMs,
    clock,
    log.child({ component: 'stream' }),
    (report) => reporter.reportStream(report.stream, report.obs),
  );
  const preview = new PreviewPublisher(
    db,
    vmId,
    obs,
    { intervalMs: PREVIEW_INTERVAL_MS },
    clock,
    log.child({ component: 'preview' }),
  );
  obs.start();
  stream.start();
  preview.start();

  // Issue 12: the show state is exported while in_use and imported before a failover's
  // hand-over. The store is chosen by config: the recordings bucket (under state/) when an
  // archive bucket is set, the local VM's archive directory in local mode, else none (the agent
  // then neither exports nor imports, and says so).
  const commandEnv =
    config.mode === 'local'
      ? localCommandEnv({ vmDir: resolve(config.vmDir), showServerUrl: config.showServerUrl })
      : productionCommandEnv(config.archiveBucket);
  const commandDirs = commandEnv.dirs;
  const stateArchive = await openStateArchive(config, identity.region);
  const stateExport =
    stateArchive === null
      ? null
      : new StateExportLoop(
          db,
          vmId,
          obs,
          stateArchive,
          clock,
          log.child({ component: 'state-export' }),
          {
            intervalMs: config.stateExportIntervalMs,
            settleMs: STATE_EXPORT_SETTLE_MS,
            obsConfigDir: commandDirs.obsConfig,
          },
        );
  if (stateExport === null) {
    log.warn('show state export is off: this agent has no state archive (no --archive-bucket)');
  } else {
    log.info('show state exports go to the archive', {
      store: config.stateStore.kind,
      bucket: stateArchive?.bucket,
    });
  }
  stateExport?.start();
  const importStateHandler = async (args: Record<string, unknown>): Promise<string> => {
    if (stateArchive === null) throw new Error('this VM has no state archive to import from');
    return importState(
      {
        archive: stateArchive,
        obsConfigDir: commandDirs.obsConfig,
        obs: () => obs.client,
        sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
      },
      args as CommandArgs['import_state'],
    );
  };

  const executor = new CommandExecutor(
    db,
    vmId,
    bootId,
    createPlanner(commandEnv),
    clock,
    log.child({ component: 'command' }),
    {
      graceMs: COMMAND_GRACE_MS,
      outputIntervalMs: OUTPUT_INTERVAL_MS,
      inAgent: { import_state: importStateHandler },
    },
  );
  executor.start();

  notifier.ready(`reporting as ${vmId}`);
  const watchdogMs = watchdogIntervalMs(systemdEnv);
  const watchdog =
    watchdogMs === null
      ? undefined
      : setInterval(() => {
          // Only a loop that still completes probe cycles counts as alive.
          if (Date.now() - probes.completedAt < Math.max(3 * config.probeIntervalMs, 60_000))
            notifier.watchdog();
        }, watchdogMs);

  let stopping: Promise<void> | undefined;
  return {
    vmId,
    bootId,
    stop() {
      stopping ??= (async () => {
        log.info('agent stopping');
        notifier.stopping();
        clearInterval(watchdog);
        session?.stop();
        probes.stop();
        metrics.stop();
        preview.stop();
        await stateExport?.stop();
        stateArchive?.close?.();
        stream.stop();
        obs.stop();
        await executor.stop();
        await reporter.goOffline();
        socket.close();
        clock.close();
        await clients.close();
        log.info('agent stopped');
      })();
      return stopping;
    },
  };
}
