// The probe cycle: every interval, ask each source, derive the canonical report and hand it
// to the reporter (which writes only what changed). A failing source is a finding, never a
// reason to stop the loop.
import type { Clock, Logger } from '@vmpool/core/ports';
import type { ServicesReport, ShowReport } from '../report/types';
import { runningProcessNames } from './processes';
import { deriveServices, type ProbeFindings } from './services';
import { probeShowStatus, type ShowProbe } from './show-status';
import type { SocketLink } from './socket-link';
import { probeTcp } from './tcp';
import type { UnitSource } from './units';

export interface ProbeLoopOptions {
  mode: 'local' | 'production';
  intervalMs: number;
  showServerUrl: string;
  nimbleStatsUrl: string;
  ports: { obsWebsocket: number; noMachine: number };
}

export type ProbeListener = (services: ServicesReport, show: ShowReport) => void;

export function toShowReport(probe: ShowProbe, checkedAt: number): ShowReport {
  return {
    reachable: probe.reachable,
    obsConnected: probe.obsConnected,
    obsIsStreaming: probe.obsIsStreaming,
    obsIsRecording: probe.obsIsRecording,
    obsCurrentScene: probe.obsCurrentScene,
    connectedClients: probe.connectedClients,
    latencyMs: probe.latencyMs,
    checkedAt,
  };
}

export class ProbeLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastCompletedAt = 0;
  private lastShowReachable: boolean | undefined;

  constructor(
    private readonly options: ProbeLoopOptions,
    private readonly socket: SocketLink,
    private readonly units: UnitSource,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onResult: ProbeListener,
  ) {}

  /** Local time of the last completed cycle; the watchdog checks it. */
  get completedAt(): number {
    return this.lastCompletedAt;
  }

  start(): void {
    void this.cycle();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async cycle(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.probeOnce();
    } catch (error) {
      this.log.error('probe cycle failed', { error });
    }
    this.lastCompletedAt = Date.now();
    if (!this.stopped) this.timer = setTimeout(() => void this.cycle(), this.options.intervalMs);
  }

  async probeOnce(): Promise<void> {
    const local = this.options.mode === 'local';
    const nimble = new URL(this.options.nimbleStatsUrl);
    const [show, units, processes, obsWebsocket, nimbleStats, noMachine] = await Promise.all([
      probeShowStatus(this.options.showServerUrl, () => this.clock.now()),
      this.units.read(),
      local ? Promise.resolve(null) : runningProcessNames(),
      local ? undefined : probeTcp('127.0.0.1', this.options.ports.obsWebsocket),
      local ? undefined : probeTcp(nimble.hostname, Number(nimble.port || 80)),
      local ? undefined : probeTcp('127.0.0.1', this.options.ports.noMachine),
    ]);
    if (show.reachable !== this.lastShowReachable) {
      if (show.reachable) this.log.info('show server reachable', { latencyMs: show.latencyMs });
      else
        this.log.warn('show server unreachable; reporting degraded and probing on', {
          error: show.error,
        });
      this.lastShowReachable = show.reachable;
    }
    const now = this.clock.now();
    const findings: ProbeFindings = {
      now,
      mode: this.options.mode,
      showServerPort: Number(new URL(this.options.showServerUrl).port || 80),
      show,
      socket: { connected: this.socket.connected, detail: this.socket.detail },
      units,
      tcp: {
        ...(obsWebsocket ? { obsWebsocket } : {}),
        ...(nimbleStats ? { nimbleStats } : {}),
        ...(noMachine ? { noMachine } : {}),
      },
      tcpPorts: {
        obsWebsocket: this.options.ports.obsWebsocket,
        nimbleStats: Number(nimble.port || 80),
        noMachine: this.options.ports.noMachine,
      },
      processes,
    };
    this.onResult(deriveServices(findings), toShowReport(show, now));
  }
}
