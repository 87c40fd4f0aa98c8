// Turns raw obs-websocket answers into the contract's StreamStatus and ObsStatus. Pure: the
// samples carry their time, and the only state is the previous sample and the one-minute
// frame windows.
//
// Facts it relies on (checked against OBS 29.0.2 / obs-websocket 5.1.0): when the ingest dies
// OBS keeps `outputActive: true` with `outputReconnecting: true` and `outputBytes` back to 0;
// after a reconnect `outputDuration`, `outputBytes` and the frame counters start again from 0.
import type { ObsStatus, StreamStatus } from '@vmpool/core';
import type { GetStatsResponse, GetStreamStatusResponse } from './protocol';

/** Dropped and render-skipped frames are judged over this long. */
export const FRAME_WINDOW_MS = 60_000;

export interface ObsSample {
  /** Server time of the sample (checkedAt). */
  at: number;
  /** OBS's version (GetVersion.obsVersion), known from the connection. */
  version: string | null;
  /** null when that request failed. */
  stats: GetStatsResponse | null;
  stream: GetStreamStatusResponse | null;
  recording: boolean | null;
  scene: string | null;
}

export interface HealthReport {
  stream: StreamStatus;
  obs: ObsStatus;
}

const round = (value: number, digits: number): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};
const clamp = (value: number, min: number, max: number): number =>
  Math.min(max, Math.max(min, value));
const finite = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

interface FramePoint {
  at: number;
  skipped: number;
  total: number;
}

/**
 * Skipped / total frames over the last minute, from OBS's cumulative counters. A counter
 * going backwards (a new stream, a reconnect, an OBS restart) starts a new window.
 */
export class FrameWindow {
  private points: FramePoint[] = [];

  constructor(private readonly windowMs = FRAME_WINDOW_MS) {}

  reset(): void {
    this.points = [];
  }

  /** Adds a reading and returns the skipped percentage over the window, 0..100. */
  add(at: number, skipped: number, total: number): number {
    const last = this.points.at(-1);
    if (last && (total < last.total || skipped < last.skipped || at < last.at)) this.reset();
    this.points.push({ at, skipped, total });
    // Keep the newest point at or before the window's start as its base, drop older ones.
    while (this.points.length > 2 && (this.points[1] as FramePoint).at <= at - this.windowMs) {
      this.points.shift();
    }
    const base = this.points[0] as FramePoint;
    const frames = total - base.total;
    const dropped = skipped - base.skipped;
    if (frames > 0) return round(clamp((dropped / frames) * 100, 0, 100), 1);
    // A single reading: the counters began with this output, less than a window ago.
    if (this.points.length === 1 && total > 0)
      return round(clamp((skipped / total) * 100, 0, 100), 1);
    return 0;
  }
}

export const INACTIVE_STREAM = {
  active: false,
  reconnecting: false,
  bitrateKbps: 0,
  droppedFramesPercent: 0,
  congestion: 0,
  durationSeconds: 0,
} as const;

export class StreamHealth {
  private previous: { bytes: number; durationMs: number } | undefined;
  private readonly dropped = new FrameWindow();
  private readonly render = new FrameWindow();

  /** What to report while OBS cannot be reached. */
  disconnected(at: number, detail: string, version: string | null): HealthReport {
    this.previous = undefined;
    this.dropped.reset();
    this.render.reset();
    return {
      stream: { ...INACTIVE_STREAM, checkedAt: at },
      obs: {
        connected: false,
        version,
        activeFps: null,
        renderSkippedFramesPercent: null,
        cpuUsage: null,
        memoryMb: null,
        currentScene: null,
        recording: false,
        checkedAt: at,
        detail: detail.slice(0, 1000),
      },
    };
  }

  sample(sample: ObsSample): HealthReport {
    return { stream: this.streamOf(sample), obs: this.obsOf(sample) };
  }

  private streamOf({ at, stream }: ObsSample): StreamStatus {
    const outputActive = stream?.outputActive === true;
    const reconnecting = outputActive && stream?.outputReconnecting === true;
    const active = outputActive && !reconnecting;
    if (!stream || !active) {
      this.previous = undefined;
      this.dropped.reset();
      return { ...INACTIVE_STREAM, reconnecting, checkedAt: at };
    }
    const bytes = Math.max(0, finite(stream.outputBytes) ?? 0);
    const durationMs = Math.max(0, finite(stream.outputDuration) ?? 0);
    // Bytes and duration come from the same OBS snapshot, so OBS's clock times the rate.
    const previous = this.previous;
    let bitrateKbps = 0;
    if (previous && bytes >= previous.bytes && durationMs > previous.durationMs) {
      bitrateKbps = ((bytes - previous.bytes) * 8) / (durationMs - previous.durationMs);
    } else if (durationMs > 0) {
      // The first sample of this output (or its counters were reset): its average so far.
      bitrateKbps = (bytes * 8) / durationMs;
    }
    this.previous = { bytes, durationMs };
    const skipped = Math.max(0, finite(stream.outputSkippedFrames) ?? 0);
    const total = Math.max(0, finite(stream.outputTotalFrames) ?? 0);
    return {
      active: true,
      reconnecting: false,
      bitrateKbps: Math.round(Math.max(0, bitrateKbps)),
      droppedFramesPercent: this.dropped.add(at, skipped, total),
      congestion: round(clamp(finite(stream.outputCongestion) ?? 0, 0, 1), 2),
      durationSeconds: Math.floor(durationMs / 1000),
      checkedAt: at,
    };
  }

  private obsOf({ at, stats, version, recording, scene }: ObsSample): ObsStatus {
    const activeFps = finite(stats?.activeFps);
    const cpuUsage = finite(stats?.cpuUsage);
    const memoryMb = finite(stats?.memoryUsage);
    const renderSkipped = finite(stats?.renderSkippedFrames);
    const renderTotal = finite(stats?.renderTotalFrames);
    let renderSkippedFramesPercent: number | null = null;
    if (renderSkipped !== null && renderTotal !== null) {
      renderSkippedFramesPercent = this.render.add(
        at,
        Math.max(0, renderSkipped),
        Math.max(0, renderTotal),
      );
    } else {
      this.render.reset();
    }
    return {
      connected: true,
      version,
      activeFps: activeFps === null ? null : round(Math.max(0, activeFps), 1),
      renderSkippedFramesPercent,
      cpuUsage: cpuUsage === null ? null : round(Math.max(0, cpuUsage), 1),
      memoryMb: memoryMb === null ? null : round(Math.max(0, memoryMb), 1),
      currentScene: scene === null ? null : scene.slice(0, 256),
      recording: recording === true,
      checkedAt: at,
    };
  }
}
