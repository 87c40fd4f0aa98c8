import type { Clock, Logger } from '@vmpool/core/ports';
import type { MetricsReport } from '../report/types';
import type { MetricsSampler } from './sampler';

/** Samples every interval; the reporter decides whether the sample is worth writing. */
export class MetricsLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly sampler: MetricsSampler,
    private readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onSample: (metrics: MetricsReport) => void,
  ) {}

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
      this.onSample(await this.sampler.sample(this.clock.now()));
    } catch (error) {
      this.log.warn('metrics sample failed', { error });
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.cycle(), this.intervalMs);
  }
}
