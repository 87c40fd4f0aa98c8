// "Write only what changed": decides which parts of the report differ in a way that matters
// from what was last written. Timestamps and latencies do not count for the report (issue 17:
// measured latencies go to the pulse, which no trigger watches, when they move past the noise),
// so an idle VM costs almost no database traffic and no control-plane invocation.
import type { AgentLatencies } from '@vmpool/core';
import type { MetricsReport, ObsReport, ServiceStatus, ShowReport, StreamReport } from './types';

/** A latency change smaller than this is noise, not news. */
export const LATENCY_NOISE_MS = 250;

export function latencyMoved(
  previous: number | null | undefined,
  next: number | null | undefined,
): boolean {
  if (previous == null || next == null) return (previous ?? null) !== (next ?? null);
  return Math.abs(previous - next) > LATENCY_NOISE_MS;
}

/** Latencies moved: one appeared or went away, or one moved past the noise. */
export function latenciesMoved(
  previous: AgentLatencies | undefined,
  next: AgentLatencies,
): boolean {
  if (!previous) return true;
  const names = new Set([...Object.keys(previous), ...Object.keys(next)]) as Set<
    keyof AgentLatencies
  >;
  return [...names].some((name) => latencyMoved(previous[name], next[name]));
}

/** State only: up/down, detail and port (a latency is the pulse's, see `latenciesMoved`). */
export function serviceChanged(previous: ServiceStatus | undefined, next: ServiceStatus): boolean {
  if (!previous) return true;
  return (
    previous.state !== next.state || previous.detail !== next.detail || previous.port !== next.port
  );
}

export function showChanged(previous: ShowReport | undefined, next: ShowReport): boolean {
  if (!previous) return true;
  return (
    previous.reachable !== next.reachable ||
    previous.obsConnected !== next.obsConnected ||
    previous.obsIsStreaming !== next.obsIsStreaming ||
    previous.obsIsRecording !== next.obsIsRecording ||
    previous.obsCurrentScene !== next.obsCurrentScene ||
    previous.connectedClients !== next.connectedClients
  );
}

export interface MetricsThresholds {
  cpuPercentPoints: number;
  load1: number;
  memPercentPoints: number;
  diskPercentPoints: number;
  /** A network rate change counts when it moves by this fraction and by at least netMinBps. */
  netRelative: number;
  netMinBps: number;
}

export const DEFAULT_METRICS_THRESHOLDS: MetricsThresholds = {
  cpuPercentPoints: 10,
  load1: 0.5,
  memPercentPoints: 5,
  diskPercentPoints: 1,
  netRelative: 0.5,
  netMinBps: 256 * 1024,
};

function rateMoved(previous: number, next: number, t: MetricsThresholds): boolean {
  const delta = Math.abs(previous - next);
  return delta >= t.netMinBps && delta >= t.netRelative * Math.max(previous, next);
}

/** Names the metrics that moved past their threshold; empty when nothing worth writing. */
export function metricsMoved(
  previous: MetricsReport | undefined,
  next: MetricsReport,
  t: MetricsThresholds = DEFAULT_METRICS_THRESHOLDS,
): string[] {
  if (!previous) return ['first sample'];
  const moved: string[] = [];
  if (Math.abs(previous.cpuPercent - next.cpuPercent) >= t.cpuPercentPoints)
    moved.push('cpuPercent');
  if (Math.abs(previous.load1 - next.load1) >= t.load1) moved.push('load1');
  if (Math.abs(previous.memUsedPercent - next.memUsedPercent) >= t.memPercentPoints)
    moved.push('memUsedPercent');
  if (Math.abs(previous.diskUsedPercent - next.diskUsedPercent) >= t.diskPercentPoints)
    moved.push('diskUsedPercent');
  if (rateMoved(previous.netRxBps, next.netRxBps, t)) moved.push('netRxBps');
  if (rateMoved(previous.netTxBps, next.netTxBps, t)) moved.push('netTxBps');
  if (next.uptimeSeconds < previous.uptimeSeconds) moved.push('uptimeSeconds (rebooted)');
  return moved;
}

export interface StreamThresholds {
  /** A bitrate change counts when it moves by this fraction and by at least bitrateMinKbps. */
  bitrateRelative: number;
  bitrateMinKbps: number;
  framesPercentPoints: number;
  congestion: number;
  fps: number;
  cpuPercentPoints: number;
  /** OBS memory: by this fraction and by at least memoryMinMb. */
  memoryRelative: number;
  memoryMinMb: number;
}

export const DEFAULT_STREAM_THRESHOLDS: StreamThresholds = {
  bitrateRelative: 0.25,
  bitrateMinKbps: 250,
  framesPercentPoints: 1,
  congestion: 0.1,
  fps: 2,
  cpuPercentPoints: 10,
  memoryRelative: 0.2,
  memoryMinMb: 50,
};

function moved(previous: number, next: number, relative: number, minimum: number): boolean {
  const delta = Math.abs(previous - next);
  return delta >= minimum && delta >= relative * Math.max(previous, next);
}

function nullableMoved(
  previous: number | null,
  next: number | null,
  changed: (previous: number, next: number) => boolean,
): boolean {
  if (previous === null || next === null) return previous !== next;
  return changed(previous, next);
}

/** Names what moved in the stream report past its threshold; empty when nothing did. */
export function streamMoved(
  previous: StreamReport | undefined,
  next: StreamReport,
  t: StreamThresholds = DEFAULT_STREAM_THRESHOLDS,
): string[] {
  if (!previous) return ['first sample'];
  const changes: string[] = [];
  if (previous.active !== next.active) changes.push('active');
  if (previous.reconnecting !== next.reconnecting) changes.push('reconnecting');
  if (moved(previous.bitrateKbps, next.bitrateKbps, t.bitrateRelative, t.bitrateMinKbps))
    changes.push('bitrateKbps');
  if (Math.abs(previous.droppedFramesPercent - next.droppedFramesPercent) >= t.framesPercentPoints)
    changes.push('droppedFramesPercent');
  if (Math.abs(previous.congestion - next.congestion) >= t.congestion) changes.push('congestion');
  return changes;
}

/** Names what moved in the OBS report past its threshold; empty when nothing did. */
export function obsMoved(
  previous: ObsReport | undefined,
  next: ObsReport,
  t: StreamThresholds = DEFAULT_STREAM_THRESHOLDS,
): string[] {
  if (!previous) return ['first sample'];
  const changes: string[] = [];
  if (previous.connected !== next.connected) changes.push('connected');
  if (previous.version !== next.version) changes.push('version');
  if (previous.currentScene !== next.currentScene) changes.push('currentScene');
  if (previous.recording !== next.recording) changes.push('recording');
  if (previous.detail !== next.detail) changes.push('detail');
  if (nullableMoved(previous.activeFps, next.activeFps, (a, b) => Math.abs(a - b) >= t.fps))
    changes.push('activeFps');
  if (
    nullableMoved(
      previous.renderSkippedFramesPercent,
      next.renderSkippedFramesPercent,
      (a, b) => Math.abs(a - b) >= t.framesPercentPoints,
    )
  )
    changes.push('renderSkippedFramesPercent');
  if (
    nullableMoved(previous.cpuUsage, next.cpuUsage, (a, b) => Math.abs(a - b) >= t.cpuPercentPoints)
  )
    changes.push('cpuUsage');
  if (
    nullableMoved(previous.memoryMb, next.memoryMb, (a, b) =>
      moved(a, b, t.memoryRelative, t.memoryMinMb),
    )
  )
    changes.push('memoryMb');
  return changes;
}
