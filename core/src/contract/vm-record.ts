import { z } from 'zod';
import { agentReportSchema, type AgentReport } from './agent-report';
import { CAPABILITY_PATTERN, INSTANCE_TYPE_PATTERN, PUSH_ID_PATTERN, VM_ID_PATTERN } from './ids';
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

/** EC2 instance states, plus `unknown` for anything an adapter cannot map (also the compute port's list). */
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

/**
 * Why a VM is in `error`: one cause for every way the control plane puts a VM there. Kept in
 * `errorCause` beside the human `statusReason`, so that code never reads state back out of text.
 */
export const VM_ERROR_CAUSES = [
  /** A running VM's agent went offline or stopped sending heartbeats (reconcile). */
  'agent_stale',
  /** The health verdict failed the VM (the state machine's health edges; no policy does it yet). */
  'health_failed',
  /** An EC2 call for the VM (start, reboot, stop, terminate) was refused or failed. */
  'ec2_failed',
  /** EC2 reports a state the status does not allow (stopped while assigned, started while stopping, shutting down unasked). */
  'ec2_unexpected_state',
  /** The instance is gone from EC2 (not described any more, or terminated) without a terminate. */
  'instance_missing',
  /** `starting` passed its deadline twice: the agent never reported ready. */
  'start_timeout',
  /** `stopping` passed its deadline twice: EC2 never reported stopped. */
  'stop_timeout',
  /** `terminating` passed its deadline twice: EC2 never reported terminated. */
  'terminate_timeout',
  /** A release's cleanup failed or did not finish before the release deadline. */
  'release_incomplete',
  /**
   * A failover took the VM out of its competition (it failed mid-show and the show moved to a
   * spare). It returns to the pool only once it is healthy again.
   */
  'failed_over',
] as const;
export type VmErrorCause = (typeof VM_ERROR_CAUSES)[number];

/**
 * What a failed release asked for, kept while its VM is in `error` (cause `release_incomplete`)
 * so that recovery re-runs the cleanup and returns the VM as the release asked.
 */
export interface VmRecoveryRelease {
  competitionId: string;
  archiveRecordings: boolean;
  stopVM: boolean;
}

/**
 * Automatic recovery bookkeeping (core's domain/recovery.ts): typed, never read out of
 * `statusReason`. `attempts` survive status changes (a VM that recovers and fails again keeps
 * counting); the rest belongs to the current failure and is cleared when the VM leaves `error`.
 */
export interface VmRecovery {
  /** When each automatic recovery began (ms), oldest first; only those inside the window are kept. */
  attempts: number[];
  /** Set when the attempts ran out: the VM stays in `error` until an admin acts. */
  gaveUpAt: number | null;
  /** The interrupted release whose cleanup recovery re-runs; null for other causes. */
  release: VmRecoveryRelease | null;
  /** The recovery running now (its cleanup commands are named after `id`); null between attempts. */
  running: { id: string; startedAt: number } | null;
  /**
   * When the control plane next tries the automatic recovery (ms epoch): written when it defers
   * one (the cause has not cleared, an attempt did not last), null while none is scheduled
   * (not in `error`, recovering now, given up, or a cause that never clears).
   */
  nextAttemptAt: number | null;
}

export const NO_RECOVERY: Readonly<VmRecovery> = Object.freeze({
  attempts: [],
  gaveUpAt: null,
  release: null,
  running: null,
  nextAttemptAt: null,
});

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
  /** Human readable, why it is in this status; never parsed (see errorCause, deadlineRetries). */
  statusReason: string;
  /** Set exactly while the status is `error` (null for records written before it existed). */
  errorCause: VmErrorCause | null;
  deadline: number | null;
  /** Deadline retries spent in the current transitional status; reset by every status change. */
  deadlineRetries: number;
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
  /** What the instance bills as (e.g. t3.large): set at launch and adoption; absent on older records. */
  instanceType?: string;
  /** Automatic recovery of a failed VM (missing in records written before it existed). */
  recovery: VmRecovery;
  /**
   * Since when its fresh agent reports the VM unhealthy (an essential service down), by the
   * control plane's clock; null while it is not. Drives `health_failed` (core's healthFailure).
   */
  unhealthySince: number | null;
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

const recoverySchema = z
  .object({
    attempts: rtdbList(timestamp),
    gaveUpAt: nullable(timestamp),
    release: nullable(
      z.object({
        competitionId: z.string().min(1).max(MAX_TEXT),
        archiveRecordings: z.boolean(),
        stopVM: z.boolean(),
      }),
    ),
    running: nullable(z.object({ id: z.string().regex(PUSH_ID_PATTERN), startedAt: timestamp })),
    nextAttemptAt: nullable(timestamp),
  })
  .prefault({ attempts: [] });

export const vmRecordSchema = z.object({
  vmId: z.string().regex(VM_ID_PATTERN, { error: 'must match vm-[a-z0-9-]{1,40}' }),
  instanceId: z.string().min(1).max(MAX_TEXT),
  region: z.string().max(64).default(''),
  status: z.enum(VM_STATUSES),
  statusChangedAt: timestamp,
  statusReason: z.string().max(1000).default(''),
  errorCause: nullable(z.enum(VM_ERROR_CAUSES)),
  deadline: nullable(timestamp),
  deadlineRetries: z.number().int().nonnegative().default(0),
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
  instanceType: z.string().max(64).regex(INSTANCE_TYPE_PATTERN).optional(),
  recovery: recoverySchema,
  unhealthySince: nullable(timestamp),
  agent: nullable(agentReportSchema),
});

/**
 * Validates one whole VM record, `agent` subtree included: any problem fails it. To read a
 * stored `vmPool/vms/{vmId}` node use `parseVmEntry`, which applies the agent rule below.
 */
export function parseVmRecord(raw: unknown): Parsed<VmRecord> {
  return parseWith<VmRecord>(vmRecordSchema, raw);
}

/** A stored VM node as read: usable (perhaps with its agent report set aside), or invalid. */
export type VmEntry =
  { ok: true; value: VmRecord; agentErrors: string[] } | { ok: false; errors: string[] };

/**
 * Reads the node at `vmPool/vms/{vmId}`: the one parse rule for the control plane, the HTTP
 * API and the web app. The key is the VM's id (a `vmId` field that says otherwise is ignored).
 * The `agent` subtree is written by the agent on the VM, the rest by the control plane: when
 * only the agent subtree is invalid the VM is kept with `agent: null` (its agent counts as
 * silent, so nothing trusts the bad report) and the problems come back in `agentErrors` to be
 * reported. A VM is never hidden because of its agent: a hidden VM would still run, bill and
 * hold its competition while the pool, the allocator and the operators could not see it.
 */
export function parseVmEntry(vmId: string, raw: unknown): VmEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: ['(root): must be an object'] };
  }
  const fields: Record<string, unknown> = { ...(raw as Record<string, unknown>), vmId };
  const parsed = parseVmRecord(fields);
  if (parsed.ok) return { ok: true, value: parsed.value, agentErrors: [] };
  if (fields.agent === undefined || fields.agent === null) return parsed;
  const withoutAgent = parseVmRecord({ ...fields, agent: null });
  return withoutAgent.ok
    ? { ok: true, value: withoutAgent.value, agentErrors: parsed.errors }
    : parsed;
}
