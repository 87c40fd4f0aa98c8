import {
  deadlineRule,
  isAwaitingAgent,
  transitionVm,
  vmAddressFor,
  type DeadlineBudget,
  type PoolConfig,
  type VmEvent,
  type VmRecord,
  type VmStatus,
} from '@vmpool/core';
import type { ControlPlaneConfig } from '../config/control-plane-config';
import { RequestError } from './request-error';

type DeadlineSettings = Pick<
  ControlPlaneConfig,
  'startDeadlineFactor' | 'stopDeadlineMs' | 'releaseTimeoutMs'
>;

function budgetMs(
  budget: DeadlineBudget,
  config: Pick<PoolConfig, 'warmupTimeSeconds'>,
  settings: DeadlineSettings,
): number {
  switch (budget) {
    case 'warmup':
      return config.warmupTimeSeconds * 1000 * settings.startDeadlineFactor;
    case 'stop':
      return settings.stopDeadlineMs;
    case 'release':
      return settings.releaseTimeoutMs;
  }
}

/** When a VM that enters `status` at `now` must have left it; null when the status has none. */
export function deadlineFor(
  status: VmStatus,
  now: number,
  config: Pick<PoolConfig, 'warmupTimeSeconds'>,
  settings: DeadlineSettings,
): number | null {
  const rule = deadlineRule(status);
  return rule === null ? null : now + budgetMs(rule.budget, config, settings);
}

/**
 * The record after `event`, or null when the state machine (or the assignment rule) forbids
 * it. Use inside `store.updateVm` so the check runs against the value being replaced.
 */
export function changeStatus(
  vm: VmRecord,
  event: VmEvent,
  now: number,
  reason: string,
  patch: Partial<VmRecord> = {},
): VmRecord | null {
  const checked = transitionVm(vm, event);
  if (!checked.ok) return null;
  return { ...vm, ...patch, status: checked.to, statusChangedAt: now, statusReason: reason };
}

/** Like changeStatus, but a forbidden change is an INVALID_STATE error for the requester. */
export function changeStatusOrThrow(
  vm: VmRecord,
  event: VmEvent,
  now: number,
  reason: string,
  patch: Partial<VmRecord> = {},
): VmRecord {
  const checked = transitionVm(vm, event);
  if (!checked.ok) throw new RequestError('INVALID_STATE', checked.error);
  return { ...vm, ...patch, status: checked.to, statusChangedAt: now, statusReason: reason };
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
  deadline?: number | null;
  ec2State?: VmRecord['ec2State'];
  publicIp?: string | null;
  privateIp?: string | null;
  publicDns?: string | null;
  capability?: string[];
}): VmRecord {
  return {
    vmId: input.vmId,
    instanceId: input.instanceId,
    region: input.region,
    status: input.status,
    statusChangedAt: input.now,
    statusReason: input.reason,
    deadline: input.deadline ?? null,
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
    agent: null,
  };
}
