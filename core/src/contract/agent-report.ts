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
}) satisfies z.ZodType<AgentReport, unknown>;

/**
 * Validates `vmPool/vms/{vmId}/agent`. Only `online` and `lastSeen` are required, because an
 * agent writes its first heartbeat before it has probed anything.
 */
export function parseAgentReport(raw: unknown): Parsed<AgentReport> {
  return parseWith(agentReportSchema, raw);
}
