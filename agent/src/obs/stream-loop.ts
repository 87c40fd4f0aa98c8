// Samples OBS every interval (one RequestBatch: stats, stream, record, program scene) and at
// once when OBS announces a stream, record or scene change or the connection changes; hands
// the derived StreamStatus and ObsStatus to the reporter, which writes only what moved.
import type { Clock, Logger } from '@vmpool/core/ports';
import type { ObsLink } from './obs-link';
import type {
  GetCurrentProgramSceneResponse,
  GetRecordStatusResponse,
  GetStatsResponse,
  GetStreamStatusResponse,
  RequestResult,
} from './protocol';
import { StreamHealth, type HealthReport } from './stream-health';

/** Events that change what the agent reports: sample at once instead of at the next tick. */
export const SAMPLE_NOW_EVENTS = new Set([
  'StreamStateChanged',
  'RecordStateChanged',
  'CurrentProgramSceneChanged',
  'ExitStarted',
]);

const SAMPLE_REQUESTS = [
  { requestType: 'GetStats' },
  { requestType: 'GetStreamStatus' },
  { requestType: 'GetRecordStatus' },
  { requestType: 'GetCurrentProgramScene' },
] as const;

function dataOf<T>(result: RequestResult | undefined): T | null {
  return result?.requestStatus.result === true ? ((result.responseData ?? {}) as T) : null;
}

export class StreamLoop {
  private readonly health = new StreamHealth();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private running = false;
  private again = false;
  private unsubscribe: (() => void)[] = [];
  private latestScene: string | null = null;

  constructor(
    private readonly link: ObsLink,
    private readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onReport: (report: HealthReport) => void,
  ) {}

  /** The program scene of the last sample (the preview labels its image with it). */
  get scene(): string | null {
    return this.latestScene;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = [
      this.link.onEvent((type) => {
        if (SAMPLE_NOW_EVENTS.has(type)) this.sampleSoon();
      }),
      this.link.onChange(() => this.sampleSoon()),
    ];
    // The first sample follows the link's first outcome (connected, or why not), so a
    // starting agent does not report OBS down for the moment it takes to connect; the timer
    // is the fallback.
    this.timer = setTimeout(() => void this.cycle(), this.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.unsubscribe = [];
  }

  /** Runs a sample now, or right after the one in flight; then every interval. */
  sampleSoon(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    void this.cycle();
  }

  private async cycle(): Promise<void> {
    this.running = true;
    try {
      this.onReport(await this.sampleOnce());
    } catch (error) {
      this.log.error('stream sample failed', { error });
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    if (this.again) {
      this.again = false;
      void this.cycle();
      return;
    }
    this.timer = setTimeout(() => void this.cycle(), this.intervalMs);
  }

  async sampleOnce(): Promise<HealthReport> {
    const client = this.link.client;
    const state = this.link.state;
    if (client === null) {
      this.latestScene = null;
      return this.health.disconnected(this.clock.now(), state.detail, state.version);
    }
    let results: RequestResult[];
    try {
      results = await client.batch(SAMPLE_REQUESTS);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.link.reset(message);
      this.latestScene = null;
      return this.health.disconnected(this.clock.now(), message, state.version);
    }
    const [stats, stream, record, scene] = results;
    this.latestScene =
      dataOf<GetCurrentProgramSceneResponse>(scene)?.currentProgramSceneName ?? null;
    return this.health.sample({
      at: this.clock.now(),
      version: state.version,
      stats: dataOf<GetStatsResponse>(stats),
      stream: dataOf<GetStreamStatusResponse>(stream),
      recording: dataOf<GetRecordStatusResponse>(record)?.outputActive ?? null,
      scene: this.latestScene,
    });
  }
}
