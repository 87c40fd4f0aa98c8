/** The stream samples kept in the browser for the health chart (the database keeps only the last). */
import type { StreamStatus } from '@vmpool/core';

export interface StreamSample {
  at: number;
  active: boolean;
  bitrateKbps: number;
  droppedFramesPercent: number;
}

/** How much history the chart shows. */
export const STREAM_HISTORY_MS = 5 * 60_000;
/** At most this many samples are kept (the agent samples every 5 s at the most). */
export const STREAM_HISTORY_MAX_SAMPLES = 120;

/**
 * Adds the agent's latest stream report to the kept samples: once per `checkedAt`, in time
 * order, and only those within `windowMs` of the newest. Returns the same array when nothing
 * changed, so React keeps its state.
 */
export function addSample(
  samples: readonly StreamSample[],
  stream: StreamStatus | null,
  windowMs = STREAM_HISTORY_MS,
): readonly StreamSample[] {
  if (stream === null) return samples;
  if (samples.some((sample) => sample.at === stream.checkedAt)) return samples;
  const next: StreamSample = {
    at: stream.checkedAt,
    active: stream.active,
    bitrateKbps: stream.active ? Math.max(0, stream.bitrateKbps) : 0,
    droppedFramesPercent: stream.active ? stream.droppedFramesPercent : 0,
  };
  const merged = [...samples, next].sort((a, b) => a.at - b.at);
  const newest = merged[merged.length - 1]?.at ?? next.at;
  return merged
    .filter((sample) => newest - sample.at <= windowMs)
    .slice(-STREAM_HISTORY_MAX_SAMPLES);
}

/** "1:02:03" / "4:05" for a stream's duration. */
export function formatStreamDuration(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** "2,500 kbit/s", "4.2 Mbit/s" */
export function formatBitrate(kbps: number): string {
  if (kbps >= 10_000) return `${(kbps / 1000).toFixed(1)} Mbit/s`;
  return `${Math.round(kbps).toLocaleString('en-US')} kbit/s`;
}
