/** The stream health line (bitrate, dropped frames, duration) and a chart of the last minutes. */
import type { ObsStatus, StreamStatus } from '@vmpool/core';
import { formatAgo } from '../../../lib/format';
import {
  formatBitrate,
  formatStreamDuration,
  STREAM_HISTORY_MS,
  type StreamSample,
} from '../lib/samples';

export type StreamTone = 'ok' | 'warn' | 'bad' | 'idle';

/** What the line says, and its tone. */
export function describeStream(
  stream: StreamStatus | null,
  obs: ObsStatus | null,
): { text: string; tone: StreamTone } {
  if (obs === null && stream === null) return { text: 'No stream report yet', tone: 'idle' };
  if (obs !== null && !obs.connected) {
    return {
      text: `OBS not connected${obs.detail === undefined ? '' : ` (${obs.detail})`}`,
      tone: 'bad',
    };
  }
  if (stream === null) return { text: 'No stream report yet', tone: 'idle' };
  if (stream.reconnecting) return { text: 'Reconnecting to the ingest · 0 kbit/s', tone: 'bad' };
  if (!stream.active) return { text: 'Not streaming', tone: 'idle' };
  const dropped = `${stream.droppedFramesPercent.toFixed(1)}% dropped`;
  const text = `Live · ${formatBitrate(stream.bitrateKbps)} · ${dropped} · ${formatStreamDuration(stream.durationSeconds)}`;
  return { text, tone: stream.congestion > 0.5 ? 'warn' : 'ok' };
}

export function StreamHealthLine({
  stream,
  obs,
  now,
}: {
  stream: StreamStatus | null;
  obs: ObsStatus | null;
  now: number;
}) {
  const { text, tone } = describeStream(stream, obs);
  const checkedAt = stream?.checkedAt ?? obs?.checkedAt ?? null;
  return (
    <div className="stream-health" data-tone={tone} role="status" aria-label="Stream health">
      <span className="stream-health-text">{text}</span>
      {checkedAt !== null && <span className="faint"> · {formatAgo(checkedAt, now)}</span>}
    </div>
  );
}

const WIDTH = 240;
const HEIGHT = 48;

/**
 * Bitrate (line) over the last STREAM_HISTORY_MS, up to `now`; samples with dropped frames are
 * marked. Nothing is drawn until there are two samples.
 */
export function StreamChart({
  samples,
  now,
  windowMs = STREAM_HISTORY_MS,
}: {
  samples: readonly StreamSample[];
  now: number;
  windowMs?: number;
}) {
  const shown = samples.filter((sample) => now - sample.at <= windowMs && sample.at <= now);
  if (shown.length < 2) {
    return (
      <p className="faint stream-chart-empty" style={{ margin: 0, fontSize: 12 }}>
        The chart fills while this stays open.
      </p>
    );
  }
  const peak = Math.max(...shown.map((sample) => sample.bitrateKbps), 1);
  const x = (at: number) => ((at - (now - windowMs)) / windowMs) * WIDTH;
  const y = (kbps: number) => HEIGHT - (kbps / peak) * (HEIGHT - 4) - 2;
  const points = shown
    .map((sample) => `${x(sample.at).toFixed(1)},${y(sample.bitrateKbps).toFixed(1)}`)
    .join(' ');
  const low = Math.min(...shown.map((sample) => sample.bitrateKbps));
  const worstDrop = Math.max(...shown.map((sample) => sample.droppedFramesPercent));
  const minutes = Math.round(windowMs / 60_000);
  const label =
    `Bitrate over the last ${minutes} minutes: ${shown.length} samples, ` +
    `${formatBitrate(low)} to ${formatBitrate(peak)}, at most ${worstDrop.toFixed(1)}% dropped frames`;
  return (
    <svg
      className="stream-chart"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width={WIDTH}
      height={HEIGHT}
    >
      <title>{label}</title>
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth={1.5} />
      {shown
        .filter((sample) => sample.droppedFramesPercent > 0)
        .map((sample) => (
          <circle
            key={sample.at}
            className="stream-chart-drop"
            cx={x(sample.at)}
            cy={y(sample.bitrateKbps)}
            r={2.5}
          />
        ))}
    </svg>
  );
}
