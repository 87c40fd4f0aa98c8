import {
  applyStatusChange,
  INSTANCE_TYPE_PATTERN,
  isAwaitingAgent,
  NO_RECOVERY,
  vmAddressFor,
  type DeadlineLimits,
  type DeadlineSettings,
  type FailureEvent,
  type PoolConfig,
  type StatusOwnedField,
  type VmErrorCause,
  type VmEvent,
  type VmRecord,
  type VmStatus,
} from '@vmpool/core';
import type { ControlPlaneConfig } from '../../config/control-plane-config';
import { RequestError } from '../requests/request-error';

/** Fields set together with a status change; the change itself owns status and its reason. */
export type StatusPatch = Partial<Omit<VmRecord, StatusOwnedField>>;

/** A status change that does not lead into `error` (see failVm for those). */
export type OrdinaryEvent = Exclude<VmEvent, FailureEvent>;

/**
 * The record after `event` with `patch` applied, or null when the state machine (or the
 * assignment rule) forbids it. Use inside `store.updateVm` so that the check runs against the
 * value being replaced.
 */
export function changeStatus(
  vm: VmRecord,
  event: OrdinaryEvent,
  now: number,
  reason: string,
  patch: StatusPatch = {},
): VmRecord | null {
  const changed = applyStatusChange(vm, { event, reason }, now);
  return changed.ok ? { ...changed.vm, ...patch } : null;
}

/**
 * The record moved to `error` with its typed cause (`statusReason` keeps the human text) and
 * `patch` applied, or null when the state machine forbids it. Every way into `error` goes
 * through here.
 */
export function failVm(
  vm: VmRecord,
  event: FailureEvent,
  now: number,
  cause: VmErrorCause,
  reason: string,
  patch: StatusPatch = {},
): VmRecord | null {
  const changed = applyStatusChange(vm, { event, reason, cause }, now);
  return changed.ok ? { ...changed.vm, ...patch } : null;
}

/** Like changeStatus, but a forbidden change is an INVALID_STATE error for the requester. */
export function changeStatusOrThrow(
  vm: VmRecord,
  event: OrdinaryEvent,
  now: number,
  reason: string,
  patch: StatusPatch = {},
): VmRecord {
  const changed = applyStatusChange(vm, { event, reason }, now);
  if (!changed.ok) throw new RequestError('INVALID_STATE', changed.error);
  return { ...changed.vm, ...patch };
}

/** The limits core's `deadlineFor` needs: the pool's warm-up time and the deploy settings. */
export function deadlineLimits(
  config: Pick<PoolConfig, 'warmupTimeSeconds'>,
  settings: DeadlineSettings,
): DeadlineLimits {
  return {
    warmupTimeSeconds: config.warmupTimeSeconds,
    startDeadlineFactor: settings.startDeadlineFactor,
    stopDeadlineMs: settings.stopDeadlineMs,
    releaseTimeoutMs: settings.releaseTimeoutMs,
  };
}

/**
 * `"<publicIp>:3003"` from EC2's address; null without one. The address the agent reports is a
 * fallback only where `settings.trustAgentAddress` says so (the local stack): in production a VM
 * never chooses the address that producers' show-controllers connect to.
 */
export function vmAddressOf(
  vm: Pick<VmRecord, 'publicIp' | 'agent'>,
  settings: Pick<ControlPlaneConfig, 'trustAgentAddress'>,
): string | null {
  const ip = vm.publicIp ?? (settings.trustAgentAddress ? (vm.agent?.publicIp ?? null) : null);
  if (ip === null || ip === '') return null;
  try {
    return vmAddressFor(ip);
  } catch {
    return null;
  }
}

/** A fresh record for an instance the pool has just launched or adopted. */
export function newVmRecord(input: {
  vmId: string;
  instanceId: string;
  region: string;
  status: VmStatus;
  now: number;
  reason: string;
  /** From core's `deadlineFor` when the status has one. */
  deadline?: number | null;
  ec2State?: VmRecord['ec2State'];
  publicIp?: string | null;
  privateIp?: string | null;
  publicDns?: string | null;
  capability?: string[];
  /** What the instance bills as (launch spec, or EC2's description on adoption). */
  instanceType?: string;
}): VmRecord {
  return {
    vmId: input.vmId,
    instanceId: input.instanceId,
    region: input.region,
    status: input.status,
    statusChangedAt: input.now,
    statusReason: input.reason,
    errorCause: null,
    deadline: input.deadline ?? null,
    deadlineRetries: 0,
    ec2State: input.ec2State ?? 'unknown',
    publicIp: input.publicIp ?? null,
    privateIp: input.privateIp ?? null,
    publicDns: input.publicDns ?? null,
    assignedTo: null,
    assignedAt: null,
    assignedBy: null,
    requestId: null,
    healthStatus: 'unknown',
    lastHealthCheck: null,
    createdAt: input.now,
    lastStartedAt: isAwaitingAgent(input.status) ? input.now : null,
    lastStoppedAt: null,
    lastReleasedAt: null,
    totalAssignments: 0,
    tags: {
      region: input.region,
      ...(input.capability && input.capability.length > 0 ? { capability: input.capability } : {}),
    },
    recovery: { ...NO_RECOVERY, attempts: [] },
    unhealthySince: null,
    agent: null,
    ...(input.instanceType && INSTANCE_TYPE_PATTERN.test(input.instanceType)
      ? { instanceType: input.instanceType }
      : {}),
  };
}
