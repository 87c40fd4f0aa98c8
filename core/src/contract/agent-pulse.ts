import { z } from 'zod';
import { vmMetricsSchema, type AgentReport, type VmMetrics } from './agent-report';
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
}

const MAX_TEXT = 256;

export const agentPulseSchema = z.object({
  bootId: z.string().max(MAX_TEXT).default(''),
  lastSeen: timestamp,
  metrics: nullable(vmMetricsSchema),
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
 * under `agent`, with the heartbeat and metrics of its pulse when the pulse belongs to the same
 * agent run (same `bootId`). The report's own `lastSeen` is when it last wrote its state (or
 * went offline); the later of the two is when the agent was last heard from. Without a report
 * there is nothing to merge (an agent that never registered has not reported).
 */
export function withPulse(agent: AgentReport | null, pulse: AgentPulse | null): AgentReport | null {
  if (agent === null || pulse === null || pulse.bootId !== agent.bootId) return agent;
  return {
    ...agent,
    lastSeen: Math.max(agent.lastSeen, pulse.lastSeen),
    metrics: pulse.metrics ?? agent.metrics,
  };
}
