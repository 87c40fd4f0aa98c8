import { z } from 'zod';
import {
  SERVICE_NAMES,
  vmMetricsSchema,
  type AgentReport,
  type ServiceName,
  type VmMetrics,
} from './agent-report';
import { parseWith, type Parsed } from './parsed';
import { nullable, timestamp } from './rtdb-shapes';

/**
 * `vmPool/pulse/{vmId}`: what the agent writes often — its heartbeat (`lastSeen`, every
 * heartbeat interval) and its metrics — kept apart from `vmPool/vms/{vmId}/agent`, which holds
 * what changes the VM's state (presence, readiness, services, show, stream, OBS) and is the
 * only part a control-plane trigger watches. Staleness is judged by reconcile, which reads
 * this node; `bootId` ties a pulse to the agent run that wrote it.
 */
export interface AgentPulse {
  bootId: string;
  lastSeen: number;
  metrics: VmMetrics | null;
  /**
   * Issue 17: the latencies the agent measured (ms), kept here rather than in the report's
   * `services`/`show` so that their jitter never fires the report's trigger; merged back into
   * the report by `withPulse`. null or absent when none was written (agents before this field).
   */
  latency?: AgentLatencies | null;
}

/** What `latency` may name: each service the agent probes over a port, and the show's `/api/status`. */
export const LATENCY_NAMES = [...SERVICE_NAMES, 'show'] as const;
export type LatencyName = ServiceName | 'show';
/** Milliseconds per service (and `show`) that answered; absent for one that did not. */
export type AgentLatencies = Partial<Record<LatencyName, number>>;

const MAX_TEXT = 256;
const LATENCY_MAX_MS = 600_000;

const agentLatenciesSchema = z
  .object(
    Object.fromEntries(
      LATENCY_NAMES.map((name) => [name, z.number().min(0).max(LATENCY_MAX_MS).optional()]),
    ) as Record<LatencyName, z.ZodOptional<z.ZodNumber>>,
  )
  .strict();

export const agentPulseSchema = z.object({
  bootId: z.string().max(MAX_TEXT).default(''),
  lastSeen: timestamp,
  metrics: nullable(vmMetricsSchema),
  latency: nullable(agentLatenciesSchema),
}) satisfies z.ZodType<AgentPulse, unknown>;

/** Validates `vmPool/pulse/{vmId}`; only `lastSeen` is required. */
export function parseAgentPulse(raw: unknown): Parsed<AgentPulse> {
  return parseWith(agentPulseSchema, raw);
}

/** A stored pulse as readers use it: an absent or unreadable one counts as none. */
export function pulseOrNull(raw: unknown): AgentPulse | null {
  if (raw === null || raw === undefined) return null;
  const parsed = parseAgentPulse(raw);
  return parsed.ok ? parsed.value : null;
}

/**
 * The agent report as the control plane and the web app judge it: the state the agent wrote
 * under `agent`, with the heartbeat, metrics and latencies of its pulse when the pulse belongs
 * to the same agent run (same `bootId`). The report's own `lastSeen` is when it last wrote its state (or
 * went offline); the later of the two is when the agent was last heard from. Without a report
 * there is nothing to merge (an agent that never registered has not reported).
 */
export function withPulse(agent: AgentReport | null, pulse: AgentPulse | null): AgentReport | null {
  if (agent === null || pulse === null || pulse.bootId !== agent.bootId) return agent;
  return {
    ...agent,
    lastSeen: Math.max(agent.lastSeen, pulse.lastSeen),
    metrics: pulse.metrics ?? agent.metrics,
    ...(pulse.latency == null ? {} : withLatencies(agent, pulse.latency)),
  };
}

/** The report's services and show with the pulse's latencies (where both name the service). */
function withLatencies(
  agent: AgentReport,
  latency: AgentLatencies,
): Pick<AgentReport, 'services' | 'show'> {
  const services: AgentReport['services'] = {};
  for (const [name, status] of Object.entries(agent.services) as [
    ServiceName,
    NonNullable<AgentReport['services'][ServiceName]>,
  ][]) {
    const latencyMs = latency[name];
    services[name] = latencyMs === undefined ? status : { ...status, latencyMs };
  }
  const show =
    agent.show === null || latency.show === undefined
      ? agent.show
      : { ...agent.show, latencyMs: latency.show };
  return { services, show };
}
