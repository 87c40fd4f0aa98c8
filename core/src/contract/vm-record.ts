import { z } from 'zod';
import { agentReportSchema, type AgentReport } from './agent-report';
import { CAPABILITY_PATTERN, VM_ID_PATTERN } from './ids';
import { parseWith, type Parsed } from './parsed';
import { nullable, rtdbList, timestamp } from './rtdb-shapes';

/** Every state a pool VM can be in; the transitions live in domain/vm-status.ts. */
export const VM_STATUSES = [
  'available',
  'assigned',
  'in_use',
  'releasing',
  'stopped',
  'starting',
  'stopping',
  'error',
  'maintenance',
  'terminating',
] as const;
export type VmStatus = (typeof VM_STATUSES)[number];

export const EC2_STATES = [
  'pending',
  'running',
  'stopping',
  'stopped',
  'shutting-down',
  'terminated',
  'unknown',
] as const;
export type Ec2State = (typeof EC2_STATES)[number];

export const HEALTH_STATUSES = ['healthy', 'degraded', 'unhealthy', 'unknown'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export interface VmTags {
  region?: string;
  capability?: string[];
}

/** `vmPool/vms/{vmId}`: control-plane fields plus the agent's own subtree. */
export interface VmRecord {
  vmId: string;
  instanceId: string;
  region: string;
  status: VmStatus;
  statusChangedAt: number;
  statusReason: string;
  deadline: number | null;
  ec2State: Ec2State;
  publicIp: string | null;
  privateIp: string | null;
  publicDns: string | null;
  assignedTo: string | null;
  assignedAt: number | null;
  assignedBy: string | null;
  requestId: string | null;
  healthStatus: HealthStatus;
  lastHealthCheck: number | null;
  createdAt: number;
  lastStartedAt: number | null;
  lastStoppedAt: number | null;
  lastReleasedAt: number | null;
  totalAssignments: number;
  tags: VmTags;
  /** Written by the agent on the VM; null until its first heartbeat. */
  agent: AgentReport | null;
}

const MAX_TEXT = 256;

const tagsSchema = z.preprocess(
  (raw) => raw ?? {},
  z.object({
    region: z.string().max(64).optional(),
    capability: rtdbList(
      z.string().regex(CAPABILITY_PATTERN, { error: 'must be a short tag' }),
    ).optional(),
  }),
);

export const vmRecordSchema = z.object({
  vmId: z.string().regex(VM_ID_PATTERN, { error: 'must match vm-[a-z0-9-]{1,40}' }),
  instanceId: z.string().min(1).max(MAX_TEXT),
  region: z.string().max(64).default(''),
  status: z.enum(VM_STATUSES),
  statusChangedAt: timestamp,
  statusReason: z.string().max(1000).default(''),
  deadline: nullable(timestamp),
  ec2State: z.enum(EC2_STATES).default('unknown'),
  publicIp: nullable(z.string().max(MAX_TEXT)),
  privateIp: nullable(z.string().max(MAX_TEXT)),
  publicDns: nullable(z.string().max(MAX_TEXT)),
  assignedTo: nullable(z.string().max(MAX_TEXT)),
  assignedAt: nullable(timestamp),
  assignedBy: nullable(z.string().max(MAX_TEXT)),
  requestId: nullable(z.string().max(MAX_TEXT)),
  healthStatus: z.enum(HEALTH_STATUSES).default('unknown'),
  lastHealthCheck: nullable(timestamp),
  createdAt: timestamp,
  lastStartedAt: nullable(timestamp),
  lastStoppedAt: nullable(timestamp),
  lastReleasedAt: nullable(timestamp),
  totalAssignments: z.number().int().nonnegative().default(0),
  tags: tagsSchema,
  agent: nullable(agentReportSchema),
});

/**
 * Validates one `vmPool/vms/{vmId}` node (including its `agent` subtree). Pass the key as
 * `vmId` when the record does not carry it, e.g. `parseVmRecord({ vmId: key, ...value })`.
 */
export function parseVmRecord(raw: unknown): Parsed<VmRecord> {
  return parseWith<VmRecord>(vmRecordSchema, raw);
}
