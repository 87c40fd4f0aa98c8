import { SERVICE_PORTS } from '../../contract/agent-report';
import type { Alert, AlertCategory, AlertLevel, AlertScope } from '../../contract/alert';
import { POOL_ALERT_SCOPE } from '../../contract/ids';
import type { PoolConfig } from '../../contract/pool-config';
import type { VmRecord } from '../../contract/vm-record';
import { holdsAssignment, isRunningStatus } from '../vm-status';
import { describeAgentSilence } from './agent-silence';
import { isAgentStale } from './health';
import { recoveryOutlook } from '../recovery';
import { warmPoolStatus } from './warm-pool';

/** An alert to create; the writer adds the id and the acknowledgement fields. */
export interface AlertDraft {
  scope: AlertScope;
  sourceId: string;
  level: AlertLevel;
  category: AlertCategory;
  title: string;
  message: string;
  timestamp: number;
  createdAt: number;
  vmId?: string;
  competitionId?: string;
  autoResolve: boolean;
}

/** An alert as read from `alerts/{scope}/{alertId}`, with the scope it was read from. */
export type ScopedAlert = Alert & { scope: AlertScope };

export interface AlertResolution {
  scope: AlertScope;
  alertId: string;
  sourceId: string;
}

export interface AlertChanges {
  create: AlertDraft[];
  resolve: AlertResolution[];
}

export const alertSourceIds = {
  vmUnreachable: (vmId: string) => `vm-unreachable-${vmId}`,
  obsDisconnected: (vmId: string) => `obs-disconnected-${vmId}`,
  /** OBS vanished while it was streaming (derived in stream-alerts; see `obsAlertsSupersededBy`). */
  obsGoneWhileStreaming: (vmId: string) => `obs-gone-while-streaming-${vmId}`,
  showServerDown: (vmId: string) => `show-server-down-${vmId}`,
  noMachineDown: (vmId: string) => `nomachine-down-${vmId}`,
  vmIdleStopped: (vmId: string) => `vm-idle-stopped-${vmId}`,
  poolLow: () => 'pool-low',
  /** A failed VM that automatic recovery gave up on (or whose cause never clears by itself). */
  vmNeedsAdmin: (vmId: string) => `vm-needs-admin-${vmId}`,
  /** Someone other than an instance's agent presented its identity document (agentToken). */
  agentIdentityChallenged: (instanceId: string) => `agent-identity-${instanceId}`,
} as const;

/** The sourceIds derived from VM conditions, with the VM id they are about. */
const VM_SOURCE_PATTERN =
  /^(vm-unreachable|obs-disconnected|show-server-down|nomachine-down|vm-needs-admin)-(vm-[a-z0-9-]+)$/;

/** Completes a draft into the alert that is written to RTDB. */
export function alertFromDraft(draft: AlertDraft, id: string): Alert {
  const { scope: _scope, ...fields } = draft;
  return {
    ...fields,
    ...(fields.vmId === undefined ? {} : { metadata: { vmId: fields.vmId } }),
    id,
    acknowledged: false,
    acknowledgedBy: null,
    acknowledgedAt: null,
    resolved: false,
    resolvedAt: null,
  };
}

/** Alerts about a VM go to the competition holding it, else to the pool. */
export function alertScopeFor(vm: Pick<VmRecord, 'status' | 'assignedTo'>): AlertScope {
  return holdsAssignment(vm) && vm.assignedTo !== null ? vm.assignedTo : POOL_ALERT_SCOPE;
}

interface Condition {
  sourceId: string;
  /** true: the condition holds; false: it is known to be clear; null: cannot tell now. */
  active: boolean | null;
  draft: () => AlertDraft;
  /** An open alert with this sourceId already tells of the same event, more clearly. */
  supersededBy?: string;
}

/**
 * OBS gone from a live stream is one event that two rules see: the show server's lost OBS
 * connection ("OBS disconnected", here) and the agent's OBS section (stream-alerts). The
 * producer gets one critical alert for it: while "OBS gone while streaming" is open, the plain
 * "OBS disconnected" of the same VM is not raised, and an open one is resolved.
 */
export function obsAlertsSupersededBy(vmId: string): { by: string; superseded: string } {
  return {
    by: alertSourceIds.obsGoneWhileStreaming(vmId),
    superseded: alertSourceIds.obsDisconnected(vmId),
  };
}

function vmConditions(vm: VmRecord, config: PoolConfig, now: number): Condition[] {
  const scope = alertScopeFor(vm);
  // A failed VM that EC2 still runs is watched like a running one; one that is not running
  // leaves its alerts as they are, since the failure itself is not over.
  const monitored =
    isRunningStatus(vm.status) || (vm.status === 'error' && vm.ec2State === 'running');
  const undecided = vm.status === 'error' && !monitored;
  const stale = isAgentStale(vm.agent, config, now);
  const agent = vm.agent;
  const held = holdsAssignment(vm);
  const base =
    (
      level: AlertLevel,
      category: AlertCategory,
      sourceId: string,
      title: string,
      message: string,
    ) =>
    (): AlertDraft => ({
      scope,
      sourceId,
      level,
      category,
      title,
      message,
      timestamp: now,
      createdAt: now,
      vmId: vm.vmId,
      ...(scope === POOL_ALERT_SCOPE ? {} : { competitionId: scope }),
      autoResolve: true,
    });
  const obsDown =
    agent !== null &&
    ((agent.show?.reachable === true && !agent.show.obsConnected) ||
      agent.services.obsWebsocket?.state === 'down');
  const showDown =
    agent !== null &&
    (agent.show?.reachable === false || agent.services.showServer?.state === 'down');
  const noMachineDown = agent?.services.noMachine?.state === 'down';
  const outlook = recoveryOutlook(vm, config, now);
  // While the agent is unreachable nothing is known about the services: leave their alerts.
  const serviceState = (down: boolean): boolean | null => {
    if (undecided || (monitored && stale)) return null;
    return monitored && down;
  };
  return [
    {
      sourceId: alertSourceIds.vmUnreachable(vm.vmId),
      active: undecided ? null : monitored && stale,
      draft: base(
        'critical',
        'vm',
        alertSourceIds.vmUnreachable(vm.vmId),
        `${vm.vmId} unreachable`,
        describeAgentSilence(vm.vmId, agent, config, now),
      ),
    },
    {
      sourceId: alertSourceIds.vmNeedsAdmin(vm.vmId),
      active: outlook?.needsAdmin === true,
      draft: base(
        'critical',
        'vm',
        alertSourceIds.vmNeedsAdmin(vm.vmId),
        `${vm.vmId} needs an admin`,
        `${vm.vmId} is in error (${outlook?.phrase ?? 'unknown cause'}) and will not recover by itself: ${outlook?.next ?? ''}. Recover, reboot, stop or terminate it from the pool page.`,
      ),
    },
    {
      sourceId: alertSourceIds.obsDisconnected(vm.vmId),
      active: serviceState(held && obsDown),
      draft: base(
        'critical',
        'obs',
        alertSourceIds.obsDisconnected(vm.vmId),
        `OBS disconnected on ${vm.vmId}`,
        `The show server on ${vm.vmId} has lost its OBS connection.`,
      ),
      supersededBy: obsAlertsSupersededBy(vm.vmId).by,
    },
    {
      sourceId: alertSourceIds.showServerDown(vm.vmId),
      active: serviceState(showDown),
      draft: base(
        'warning',
        'service',
        alertSourceIds.showServerDown(vm.vmId),
        `Show server down on ${vm.vmId}`,
        `The show server on ${vm.vmId} (port ${SERVICE_PORTS.showServer}) does not answer.`,
      ),
    },
    {
      sourceId: alertSourceIds.noMachineDown(vm.vmId),
      active: serviceState(noMachineDown),
      draft: base(
        'warning',
        'service',
        alertSourceIds.noMachineDown(vm.vmId),
        `NoMachine down on ${vm.vmId}`,
        `NoMachine on ${vm.vmId} (port ${SERVICE_PORTS.noMachine}) does not answer.`,
      ),
    },
  ];
}

function launchHint(missing: readonly string[]): string {
  if (missing.length === 0) return '';
  return ` New VMs cannot be launched until ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} set in the pool config.`;
}

function poolLowCondition(vms: readonly VmRecord[], config: PoolConfig, now: number): Condition {
  const status = warmPoolStatus(vms, config, now);
  const sourceId = alertSourceIds.poolLow();
  return {
    sourceId,
    active: status.missing > 0,
    draft: () => ({
      scope: POOL_ALERT_SCOPE,
      sourceId,
      level: 'warning',
      category: 'vm',
      title: 'VM pool low',
      message: `${status.warm} of ${status.target} warm VMs, and no stopped VM or launch can make up the ${status.missing} missing.${launchHint(status.launchBlockedBy)}`,
      timestamp: now,
      createdAt: now,
      autoResolve: true,
    }),
  };
}

/**
 * Compares the pool with the unresolved alerts (PRD §11.3) and returns the alerts to create
 * and those whose condition has cleared. At most one unresolved alert exists per sourceId;
 * alerts with autoResolve false are never resolved here.
 */
export function deriveAlerts(input: {
  vms: readonly VmRecord[];
  activeAlerts: readonly ScopedAlert[];
  config: PoolConfig;
  now: number;
}): AlertChanges {
  const { vms, config, now } = input;
  const unresolved = input.activeAlerts.filter((alert) => !alert.resolved);
  const openBySource = new Map<string, ScopedAlert[]>();
  for (const alert of unresolved) {
    openBySource.set(alert.sourceId, [...(openBySource.get(alert.sourceId) ?? []), alert]);
  }
  const conditions = [
    ...vms.flatMap((vm) => vmConditions(vm, config, now)),
    poolLowCondition(vms, config, now),
  ];

  const create: AlertDraft[] = [];
  const resolve: AlertResolution[] = [];
  const resolveAll = (sourceId: string) => {
    for (const alert of openBySource.get(sourceId) ?? []) {
      if (alert.autoResolve) resolve.push({ scope: alert.scope, alertId: alert.id, sourceId });
    }
  };
  for (const condition of conditions) {
    const superseded =
      condition.supersededBy !== undefined && openBySource.has(condition.supersededBy);
    if (condition.active === true && superseded) resolveAll(condition.sourceId);
    else if (condition.active === true && !openBySource.has(condition.sourceId))
      create.push(condition.draft());
    if (condition.active === false) resolveAll(condition.sourceId);
  }

  // Alerts about VMs that no longer exist (terminated) can never clear by themselves.
  const known = new Set(vms.map((vm) => vm.vmId));
  for (const sourceId of openBySource.keys()) {
    const vmId = VM_SOURCE_PATTERN.exec(sourceId)?.[2];
    if (vmId !== undefined && !known.has(vmId)) resolveAll(sourceId);
  }
  return { create, resolve };
}

/** The note left when idle auto-stop stops a VM; it stays until someone resolves it. */
export function idleStoppedAlert(
  vm: Pick<VmRecord, 'vmId'>,
  now: number,
  idleHours?: number,
): AlertDraft {
  const sourceId = alertSourceIds.vmIdleStopped(vm.vmId);
  return {
    scope: POOL_ALERT_SCOPE,
    sourceId,
    level: 'info',
    category: 'vm',
    title: `${vm.vmId} stopped while idle`,
    message:
      idleHours === undefined
        ? `${vm.vmId} was stopped by idle auto-stop.`
        : `${vm.vmId} was stopped after ${idleHours} h without an assignment.`,
    timestamp: now,
    createdAt: now,
    vmId: vm.vmId,
    autoResolve: false,
  };
}

/** The refusals of `agentToken` that mean someone else holds the instance's identity document. */
export type IdentityAttackCode = 'NONCE_MISMATCH' | 'REPLAYED_DOCUMENT';

/**
 * A critical pool alert: an identity exchange for this instance was refused because the
 * document came with another nonce than the one its boot was bound to, or from an earlier
 * boot. Either the real agent lost the race to bind (its token requests now fail) or someone
 * replays a document they obtained. Nothing clears this condition, so it never auto-resolves;
 * one alert per instance while it is open.
 */
export function identityChallengedAlert(input: {
  instanceId: string;
  vmId: string;
  code: IdentityAttackCode;
  now: number;
}): AlertDraft {
  const { instanceId, vmId, code, now } = input;
  const what =
    code === 'NONCE_MISMATCH'
      ? 'with a nonce other than the one its current boot is bound to: the document was presented by someone other than the agent that bound first'
      : 'from an earlier start of the instance than the one bound: a replayed document';
  return {
    scope: POOL_ALERT_SCOPE,
    sourceId: alertSourceIds.agentIdentityChallenged(instanceId),
    level: 'critical',
    category: 'vm',
    title: `Agent identity challenged on ${vmId}`,
    message:
      `agentToken refused the identity document of ${instanceId} (${vmId}) with ${code}, ${what}. ` +
      `If ${vmId}'s agent cannot sign in, someone else bound this boot first: stop and start the ` +
      'instance (a new boot binds afresh) and check who can read its instance metadata.',
    timestamp: now,
    createdAt: now,
    vmId,
    autoResolve: false,
  };
}
