// Everything the agent reports, in two places (docs/contract.md):
// - `vmPool/vms/{vmId}/agent`, what changes the VM's state and is the only part a control-plane
//   trigger watches: registration with presence (re-done on every reconnect), services, show,
//   stream and OBS, each written when it changed in a way that matters, and all of them again in
//   one write every refresh interval (so checkedAt never gets very old);
// - `vmPool/pulse/{vmId}`, what it writes often and no trigger watches: the lastSeen heartbeat,
//   the metrics and the measured latencies (each written when it moved). Reconcile judges
//   staleness from it.
import {
  onDisconnect,
  onValue,
  ref,
  serverTimestamp,
  update,
  type Database,
  type DatabaseReference,
} from 'firebase/database';
import type { AgentLatencies } from '@vmpool/core';
import type { Clock, Logger } from '@vmpool/core/ports';
import {
  latenciesMoved,
  metricsMoved,
  obsMoved,
  serviceChanged,
  showChanged,
  streamMoved,
} from './changes';
import { agentPath, pulsePath } from './paths';
import {
  SERVICE_NAMES,
  type AgentIdentityReport,
  type MetricsReport,
  type ObsReport,
  type ServicesReport,
  type ShowReport,
  type StreamReport,
} from './types';

export interface Registration extends AgentIdentityReport {
  bootId: string;
  version: string;
  startedAt: number;
}

/**
 * Issue 17: the probes' findings split into state (the report, which the control plane's
 * trigger watches) and their measured latencies (the pulse, which it does not), so that
 * latency jitter never fires the trigger.
 */
export function splitLatencies(
  services: ServicesReport,
  show: ShowReport,
): { services: ServicesReport; show: ShowReport; latency: AgentLatencies } {
  const latency: AgentLatencies = {};
  const stateOnly = {} as ServicesReport;
  for (const name of SERVICE_NAMES) {
    const { latencyMs, ...status } = services[name];
    if (latencyMs !== undefined) latency[name] = latencyMs;
    stateOnly[name] = status;
  }
  if (show.latencyMs !== null) latency.show = show.latencyMs;
  return { services: stateOnly, show: { ...show, latencyMs: null }, latency };
}

export interface ReporterOptions {
  heartbeatIntervalMs: number;
  /** Unchanged sections are re-written at least this often, so checkedAt never gets very old. */
  refreshIntervalMs: number;
}

export class AgentReporter {
  private readonly agentRef: DatabaseReference;
  private readonly pulseRef: DatabaseReference;
  private connected = false;
  /** Section writes wait until the record exists with online/lastSeen (rules require both). */
  private registered = false;
  private latestServices: ServicesReport | undefined;
  private latestShow: ShowReport | undefined;
  private latestMetrics: MetricsReport | undefined;
  private latestLatency: AgentLatencies | undefined;
  private writtenLatency: AgentLatencies | undefined;
  private latestStream: StreamReport | undefined;
  private latestObs: ObsReport | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribeConnected: (() => void) | undefined;
  private writtenServices: Partial<ServicesReport> = {};
  private writtenShow: ShowReport | undefined;
  private writtenMetrics: MetricsReport | undefined;
  /** When every state section was last written together (registration or refresh). */
  private stateWrittenAt = 0;
  private metricsWrittenAt = 0;
  private writtenStream: StreamReport | undefined;
  private writtenObs: ObsReport | undefined;

  constructor(
    private readonly db: Database,
    vmId: string,
    private readonly registration: Registration,
    private readonly options: ReporterOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.agentRef = ref(db, agentPath(vmId));
    this.pulseRef = ref(db, pulsePath(vmId));
  }

  get isConnected(): boolean {
    return this.connected;
  }

  start(): void {
    this.unsubscribeConnected = onValue(ref(this.db, '.info/connected'), (snapshot) => {
      const connected = snapshot.val() === true;
      if (connected === this.connected) return;
      this.connected = connected;
      this.registered = false;
      if (connected) {
        this.log.info('database connected; registering');
        void this.register();
      } else {
        this.log.warn('database connection lost; writes are queued until it is back');
      }
    });
    this.heartbeat = setInterval(() => {
      if (!this.registered) return;
      this.writePulse({ lastSeen: serverTimestamp() }, 'heartbeat');
      if (this.clock.now() - this.stateWrittenAt >= this.options.refreshIntervalMs) {
        this.refreshState();
      }
    }, this.options.heartbeatIntervalMs);
  }

  /** Every state section again, in one write: the trigger fires once per refresh interval. */
  private refreshState(): void {
    const fields: Record<string, unknown> = { online: true, lastSeen: serverTimestamp() };
    if (this.latestServices) fields.services = this.latestServices;
    if (this.latestShow) fields.show = this.latestShow;
    if (this.latestStream) fields.stream = this.latestStream;
    if (this.latestObs) fields.obs = this.latestObs;
    this.stateWrittenAt = this.clock.now();
    this.writtenServices = { ...this.latestServices };
    this.writtenShow = this.latestShow;
    this.writtenStream = this.latestStream;
    this.writtenObs = this.latestObs;
    this.write(fields, 'refresh', () => {
      this.forgetWrittenState();
    });
  }

  /** Refused or lost: forget what we believed written, so the next sample writes it again. */
  private forgetWrittenState(): void {
    this.writtenServices = {};
    this.writtenShow = undefined;
    this.writtenStream = undefined;
    this.writtenObs = undefined;
  }

  /** Presence first (so a crash right after registering still flips online), then the record. */
  private async register(): Promise<void> {
    try {
      await onDisconnect(this.agentRef).update({ online: false, lastSeen: serverTimestamp() });
      const { publicIp, privateIp, startedAt, ...rest } = this.registration;
      const fields: Record<string, unknown> = {
        ...rest,
        publicIp,
        privateIp,
        // On the server's clock, like every time the agent writes (rules reject the future).
        startedAt: startedAt + (this.clock.now() - Date.now()),
        online: true,
        lastSeen: serverTimestamp(),
      };
      // The latest findings go with the registration: the record may be new, restored, or
      // changed while the agent was away.
      if (this.latestServices) fields.services = this.latestServices;
      if (this.latestShow) fields.show = this.latestShow;
      if (this.latestStream) fields.stream = this.latestStream;
      if (this.latestObs) fields.obs = this.latestObs;
      await update(this.agentRef, fields);
      // The pulse of this run (the rules let it write there only once the record names it).
      await update(this.pulseRef, {
        bootId: this.registration.bootId,
        lastSeen: serverTimestamp(),
        metrics: this.latestMetrics ?? null,
        latency: this.latestLatency ?? null,
      });
      this.writtenLatency = this.latestLatency;
      this.writtenServices = { ...this.latestServices };
      this.writtenShow = this.latestShow;
      this.writtenMetrics = this.latestMetrics;
      this.writtenStream = this.latestStream;
      this.writtenObs = this.latestObs;
      this.stateWrittenAt = this.clock.now();
      this.metricsWrittenAt = this.latestMetrics?.sampledAt ?? 0;
      this.registered = true;
      this.log.info('registered', { bootId: this.registration.bootId });
    } catch (error) {
      // Usually the rules: the control plane has not created this VM's record yet.
      this.log.error('registration refused; retrying in 5 s', { error });
      setTimeout(() => {
        if (this.connected && !this.registered) void this.register();
      }, 5_000).unref();
    }
  }

  reportProbes(probedServices: ServicesReport, probedShow: ShowReport): void {
    const { services, show, latency } = splitLatencies(probedServices, probedShow);
    this.latestServices = services;
    this.latestShow = show;
    this.latestLatency = latency;
    if (!this.registered) return;
    if (latenciesMoved(this.writtenLatency, latency)) {
      this.writtenLatency = latency;
      this.writePulse({ lastSeen: serverTimestamp(), latency }, 'latency', () => {
        this.writtenLatency = undefined;
      });
    }
    const fields: Record<string, unknown> = {};
    for (const name of SERVICE_NAMES) {
      if (serviceChanged(this.writtenServices[name], services[name])) {
        fields[`services/${name}`] = services[name];
        this.writtenServices[name] = services[name];
      }
    }
    if (showChanged(this.writtenShow, show)) {
      fields.show = show;
      this.writtenShow = show;
    }
    if (Object.keys(fields).length > 0) {
      fields.lastSeen = serverTimestamp();
      this.write(fields, 'probes', () => {
        // Refused or lost: forget what we believed written, so the next cycle tries again.
        this.writtenServices = {};
        this.writtenShow = undefined;
      });
    }
  }

  reportMetrics(metrics: MetricsReport): void {
    this.latestMetrics = metrics;
    if (!this.registered) return;
    const moved = metricsMoved(this.writtenMetrics, metrics);
    const refresh = metrics.sampledAt - this.metricsWrittenAt >= this.options.refreshIntervalMs;
    if (moved.length === 0 && !refresh) return;
    this.log.debug('metrics written', { moved: moved.length > 0 ? moved : ['refresh'] });
    this.writtenMetrics = metrics;
    this.metricsWrittenAt = metrics.sampledAt;
    this.writePulse({ lastSeen: serverTimestamp(), metrics }, 'metrics', () => {
      this.writtenMetrics = undefined;
    });
  }

  /**
   * A stream sample: each section is written when it moved past its thresholds (and with every
   * state section once per refresh interval).
   */
  reportStream(stream: StreamReport, obs: ObsReport): void {
    this.latestStream = stream;
    this.latestObs = obs;
    if (!this.registered) return;
    const fields: Record<string, unknown> = {};
    const streamChanges = streamMoved(this.writtenStream, stream);
    if (streamChanges.length > 0) {
      fields.stream = stream;
      this.writtenStream = stream;
    }
    const obsChanges = obsMoved(this.writtenObs, obs);
    if (obsChanges.length > 0) {
      fields.obs = obs;
      this.writtenObs = obs;
    }
    if (Object.keys(fields).length === 0) return;
    fields.lastSeen = serverTimestamp();
    this.log.debug('stream written', { stream: streamChanges, obs: obsChanges });
    this.write(fields, 'stream', () => {
      this.writtenStream = undefined;
      this.writtenObs = undefined;
    });
  }

  /** Graceful shutdown: mark offline now instead of waiting for the socket to drop. */
  async goOffline(timeoutMs = 3_000): Promise<void> {
    clearInterval(this.heartbeat);
    this.unsubscribeConnected?.();
    const offline = update(this.agentRef, { online: false, lastSeen: serverTimestamp() });
    await Promise.race([offline, new Promise((resolve) => setTimeout(resolve, timeoutMs))]).catch(
      (error: unknown) => {
        this.log.warn('could not mark offline; onDisconnect will', { error });
      },
    );
  }

  /** A write to the pulse (heartbeat, metrics), always stamped with this run's bootId. */
  private writePulse(fields: Record<string, unknown>, what: string, onFailure?: () => void): void {
    update(this.pulseRef, { bootId: this.registration.bootId, ...fields }).catch(
      (error: unknown) => {
        this.log.error(`${what} write refused`, { error, paths: Object.keys(fields) });
        onFailure?.();
      },
    );
  }

  private write(fields: Record<string, unknown>, what: string, onFailure?: () => void): void {
    update(this.agentRef, fields).catch((error: unknown) => {
      this.log.error(`${what} write refused`, { error, paths: Object.keys(fields) });
      onFailure?.();
    });
  }
}
