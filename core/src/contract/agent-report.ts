import { z } from 'zod';
import { SHOW_SERVER_PORT } from './ids';
import { parseWith, type Parsed } from './parsed';
import { nullable, timestamp } from './rtdb-shapes';

/**
 * Canonical service names. Older documents say `node` or `nodeServer` (showServer), `obs`
 * (obsWebsocket) and `nomachine` (noMachine); docs/contract.md lists the mapping.
 */
export const SERVICE_NAMES = [
  'showServer',
  'obsWebsocket',
  'obs',
  'nimble',
  'noMachine',
  'discord',
  'xvfb',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * Where each service listens on its VM, when it listens at all: the agent probes these, the
 * local stack serves them, `vmAddress` names the show server's.
 */
export const SERVICE_PORTS = Object.freeze({
  showServer: SHOW_SERVER_PORT,
  obsWebsocket: 4455,
  nimble: 8080,
  noMachine: 4000,
} as const satisfies Partial<Record<ServiceName, number>>);

export const SERVICE_STATES = ['up', 'down', 'unknown'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

export interface ServiceStatus {
  state: ServiceState;
  checkedAt: number;
  port?: number;
  latencyMs?: number;
  detail?: string;
}

/** What the agent learns from the show server's `/api/status` on its own VM. */
export interface ShowStatus {
  reachable: boolean;
  obsConnected: boolean;
  obsIsStreaming: boolean;
  obsIsRecording: boolean;
  obsCurrentScene: string | null;
  connectedClients: number;
  latencyMs: number | null;
  checkedAt: number;
}

export interface VmMetrics {
  cpuPercent: number;
  load1: number;
  memUsedPercent: number;
  memUsedMb: number;
  memTotalMb: number;
  diskUsedPercent: number;
  netRxBps: number;
  netTxBps: number;
  uptimeSeconds: number;
  sampledAt: number;
}

/**
 * The stream output of OBS, as the agent reads it over obs-websocket (`GetStreamStatus`).
 * `active` means the stream is really going out: while OBS retries a lost ingest it says
 * `outputActive: true, outputReconnecting: true`, which is reported as `active: false,
 * reconnecting: true`. Figures are 0 whenever `active` is false.
 */
export interface StreamStatus {
  active: boolean;
  reconnecting: boolean;
  /** From the output byte counter between two samples (kbit/s), never negative. */
  bitrateKbps: number;
  /** Skipped / total frames of the stream output over the last minute, 0..100. */
  droppedFramesPercent: number;
  /** OBS's `outputCongestion`, 0..1. */
  congestion: number;
  durationSeconds: number;
  checkedAt: number;
}

/** OBS itself, as the agent sees it over obs-websocket (`GetVersion`, `GetStats`, …). */
export interface ObsStatus {
  connected: boolean;
  /** OBS's version (`GetVersion.obsVersion`); null while never connected. */
  version: string | null;
  /** The figures are null while OBS is not connected. */
  activeFps: number | null;
  /** Render-skipped / rendered frames over the last minute, 0..100. */
  renderSkippedFramesPercent: number | null;
  /** OBS's own CPU usage in percent (`GetStats.cpuUsage`). */
  cpuUsage: number | null;
  memoryMb: number | null;
  currentScene: string | null;
  recording: boolean;
  checkedAt: number;
  /** Why OBS is not connected (connection refused, authentication failed, …). */
  detail?: string;
}

/** `vmPool/vms/{vmId}/agent`, written by the agent on that VM. */
export interface AgentReport {
  online: boolean;
  lastSeen: number;
  bootId: string;
  version: string;
  startedAt: number | null;
  instanceId: string;
  region: string;
  availabilityZone: string;
  instanceType: string;
  publicIp: string | null;
  privateIp: string | null;
  services: Partial<Record<ServiceName, ServiceStatus>>;
  show: ShowStatus | null;
  metrics: VmMetrics | null;
  stream: StreamStatus | null;
  obs: ObsStatus | null;
}

const MAX_TEXT = 256;
const MAX_DETAIL = 1000;
const percent = z.number().min(0).max(100);
const nonNegative = z.number().nonnegative();

export const serviceStatusSchema = z.object({
  state: z.enum(SERVICE_STATES),
  checkedAt: timestamp,
  port: z.number().int().min(1).max(65535).optional(),
  latencyMs: nonNegative.optional(),
  detail: z.string().max(MAX_DETAIL).optional(),
});

export const showStatusSchema = z.object({
  reachable: z.boolean(),
  obsConnected: z.boolean().default(false),
  obsIsStreaming: z.boolean().default(false),
  obsIsRecording: z.boolean().default(false),
  obsCurrentScene: nullable(z.string().max(MAX_TEXT)),
  connectedClients: z.number().int().nonnegative().default(0),
  latencyMs: nullable(nonNegative),
  checkedAt: timestamp,
});

export const vmMetricsSchema = z.object({
  cpuPercent: percent,
  load1: nonNegative,
  memUsedPercent: percent,
  memUsedMb: nonNegative,
  memTotalMb: nonNegative,
  diskUsedPercent: percent,
  netRxBps: nonNegative,
  netTxBps: nonNegative,
  uptimeSeconds: nonNegative,
  sampledAt: timestamp,
});

export const streamStatusSchema = z.object({
  active: z.boolean(),
  reconnecting: z.boolean().default(false),
  bitrateKbps: nonNegative.default(0),
  droppedFramesPercent: percent.default(0),
  congestion: z.number().min(0).max(1).default(0),
  durationSeconds: nonNegative.default(0),
  checkedAt: timestamp,
});

export const obsStatusSchema = z.object({
  connected: z.boolean(),
  version: nullable(z.string().max(MAX_TEXT)),
  activeFps: nullable(nonNegative),
  renderSkippedFramesPercent: nullable(percent),
  cpuUsage: nullable(nonNegative),
  memoryMb: nullable(nonNegative),
  currentScene: nullable(z.string().max(MAX_TEXT)),
  recording: z.boolean().default(false),
  checkedAt: timestamp,
  detail: z.string().max(MAX_DETAIL).optional(),
});

const servicesSchema = z.preprocess(
  (raw) => raw ?? {},
  z.partialRecord(z.enum(SERVICE_NAMES), serviceStatusSchema),
);

export const agentReportSchema = z.object({
  online: z.boolean(),
  lastSeen: timestamp,
  bootId: z.string().max(MAX_TEXT).default(''),
  version: z.string().max(MAX_TEXT).default(''),
  startedAt: nullable(timestamp),
  instanceId: z.string().max(MAX_TEXT).default(''),
  region: z.string().max(MAX_TEXT).default(''),
  availabilityZone: z.string().max(MAX_TEXT).default(''),
  instanceType: z.string().max(MAX_TEXT).default(''),
  publicIp: nullable(z.string().max(MAX_TEXT)),
  privateIp: nullable(z.string().max(MAX_TEXT)),
  services: servicesSchema,
  show: nullable(showStatusSchema),
  metrics: nullable(vmMetricsSchema),
  stream: nullable(streamStatusSchema),
  obs: nullable(obsStatusSchema),
}) satisfies z.ZodType<AgentReport, unknown>;

/**
 * Validates `vmPool/vms/{vmId}/agent`. Only `online` and `lastSeen` are required, because an
 * agent writes its first heartbeat before it has probed anything.
 */
export function parseAgentReport(raw: unknown): Parsed<AgentReport> {
  return parseWith(agentReportSchema, raw);
}
