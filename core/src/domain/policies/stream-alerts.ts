import { POOL_ALERT_SCOPE } from '../../contract/ids';
import type { AgentReport } from '../../contract/agent-report';
import { showTimesOf, type CompetitionConfig } from '../../contract/competition';
import { DEFAULT_POOL_CONFIG, type PoolConfig } from '../../contract/pool-config';
import type { VmRecord } from '../../contract/vm-record';
import { holdsAssignment } from '../vm-status';
import {
  alertScopeFor,
  alertSourceIds,
  obsAlertsSupersededBy,
  type AlertChanges,
  type AlertDraft,
  type AlertResolution,
  type ScopedAlert,
} from './alerts';
import { isAgentStale } from './health';

/**
 * Stream health alerts (issue "Stream health and live preview"), derived from the agent's
 * `stream` and `obs` sections. Pure: the control plane passes the VM, the agent report it
 * saw before (for "was streaming"), whether the competition is live, the open alerts and the
 * thresholds (from the pool config: streamAlertThresholds).
 */

export interface StreamAlertThresholds {
  /** Dropped frames over the agent's one-minute window above this (percent): warning. */
  droppedFramesPercent: number;
  /** An active stream below this bitrate (kbit/s): warning. */
  minBitrateKbps: number;
}

/** The thresholds the pool config sets (`streamDroppedFramesPercentMax`, `streamMinBitrateKbps`). */
export function streamAlertThresholds(
  config: Pick<PoolConfig, 'streamDroppedFramesPercentMax' | 'streamMinBitrateKbps'>,
): StreamAlertThresholds {
  return {
    droppedFramesPercent: config.streamDroppedFramesPercentMax,
    minBitrateKbps: config.streamMinBitrateKbps,
  };
}

export const DEFAULT_STREAM_ALERT_THRESHOLDS: StreamAlertThresholds =
  streamAlertThresholds(DEFAULT_POOL_CONFIG);

/**
 * A competition is live from its scheduled `startsAt` until its `endsAt`; one without both
 * (no schedule) is never judged live, so only "OBS gone while streaming" applies to it.
 */
export function isCompetitionLive(
  config: Pick<CompetitionConfig, 'startsAt' | 'endsAt'> | null,
  now: number,
): boolean {
  const schedule = config === null ? null : showTimesOf(config);
  return schedule !== null && schedule.startsAt <= now && now < schedule.endsAt;
}

/** The stream alert sourceIds, with the VM they are about. */
const STREAM_SOURCE_PATTERN =
  /^(obs-gone-while-streaming|stream-stopped|stream-dropped-frames|stream-low-bitrate)-(vm-[a-z0-9-]+)$/;

/** The VM a stream alert's sourceId is about, or null when it is no stream alert. */
export function streamAlertVmId(sourceId: string): string | null {
  return STREAM_SOURCE_PATTERN.exec(sourceId)?.[2] ?? null;
}

/**
 * Open auto-resolving stream alerts about VMs the pool no longer has (terminated): their
 * condition can never clear by itself, so they are resolved.
 */
export function orphanedStreamAlerts(
  openAlerts: readonly ScopedAlert[],
  knownVmIds: ReadonlySet<string>,
): AlertResolution[] {
  return openAlerts
    .filter((alert) => {
      const vmId = streamAlertVmId(alert.sourceId);
      return !alert.resolved && alert.autoResolve && vmId !== null && !knownVmIds.has(vmId);
    })
    .map((alert) => ({ scope: alert.scope, alertId: alert.id, sourceId: alert.sourceId }));
}

export const streamAlertSourceIds = {
  obsGoneWhileStreaming: alertSourceIds.obsGoneWhileStreaming,
  streamStopped: (vmId: string) => `stream-stopped-${vmId}`,
  droppedFrames: (vmId: string) => `stream-dropped-frames-${vmId}`,
  lowBitrate: (vmId: string) => `stream-low-bitrate-${vmId}`,
} as const;

export interface StreamCondition {
  sourceId: string;
  /** true: holds; false: known clear; null: cannot tell now (leave any open alert alone). */
  active: boolean | null;
  draft: () => AlertDraft;
  /** While this condition holds, the open alert with this sourceId says less of the same event. */
  supersedes?: string;
}

export interface StreamAlertInput {
  vm: VmRecord;
  /** The agent report before this one (a trigger's `before`), or null when unknown. */
  previousAgent: AgentReport | null;
  /** The competition holding the VM is on air now (the caller decides, e.g. from its schedule). */
  competitionLive: boolean;
  config: PoolConfig;
  thresholds: StreamAlertThresholds;
  now: number;
}

/** The four stream conditions of one VM. */
export function streamConditions(input: StreamAlertInput): StreamCondition[] {
  const { vm, previousAgent, competitionLive, config, thresholds, now } = input;
  const scope = alertScopeFor(vm);
  const agent = vm.agent;
  const draft =
    (level: AlertDraft['level'], sourceId: string, title: string, message: string) =>
    (): AlertDraft => ({
      scope,
      sourceId,
      level,
      category: 'obs',
      title,
      message,
      timestamp: now,
      createdAt: now,
      vmId: vm.vmId,
      ...(scope === POOL_ALERT_SCOPE ? {} : { competitionId: scope }),
      autoResolve: true,
    });
  const ids = streamAlertSourceIds;
  const held = holdsAssignment(vm);
  // A VM in no show has no stream to alert about: its stream alerts are over. Nothing is
  // known while the agent is silent (its own alert covers that) or has never seen OBS.
  const known = !isAgentStale(agent, config, now) && agent?.obs != null;
  const judge = (value: () => boolean | null): boolean | null =>
    !held ? false : !known ? null : value();
  const obs = agent?.obs ?? null;
  const stream = agent?.stream ?? null;
  const connected = obs?.connected === true;
  const streaming = stream?.active === true;
  const wasStreaming =
    previousAgent?.stream?.active === true || previousAgent?.stream?.reconnecting === true;

  // OBS gone while streaming: set when OBS vanishes from a live stream, kept until OBS is
  // back (a later report without OBS no longer says whether it was streaming).
  const obsGone = judge(() => {
    if (connected) return false;
    return previousAgent?.obs?.connected === true && wasStreaming ? true : null;
  });
  // With OBS gone the alert above speaks; the stream's state is not known then.
  const stopped = judge(() => (connected ? competitionLive && !streaming : null));
  const dropped = judge(
    () => streaming && (stream?.droppedFramesPercent ?? 0) > thresholds.droppedFramesPercent,
  );
  const lowBitrate = judge(
    () => streaming && (stream?.bitrateKbps ?? 0) < thresholds.minBitrateKbps,
  );

  const reconnecting = stream?.reconnecting === true;
  return [
    {
      sourceId: ids.obsGoneWhileStreaming(vm.vmId),
      active: obsGone,
      draft: draft(
        'critical',
        ids.obsGoneWhileStreaming(vm.vmId),
        `OBS gone mid-stream on ${vm.vmId}`,
        `OBS on ${vm.vmId} stopped answering while it was streaming${obs?.detail ? ` (${obs.detail})` : ''}.`,
      ),
      supersedes: obsAlertsSupersededBy(vm.vmId).superseded,
    },
    {
      sourceId: ids.streamStopped(vm.vmId),
      active: stopped,
      draft: draft(
        'critical',
        ids.streamStopped(vm.vmId),
        `Stream down on ${vm.vmId}`,
        reconnecting
          ? `OBS on ${vm.vmId} lost the ingest and is reconnecting; nothing goes out.`
          : `OBS on ${vm.vmId} is not streaming while the competition is live.`,
      ),
    },
    {
      sourceId: ids.droppedFrames(vm.vmId),
      active: dropped,
      draft: draft(
        'warning',
        ids.droppedFrames(vm.vmId),
        `Dropped frames on ${vm.vmId}`,
        `${stream?.droppedFramesPercent ?? 0}% of the stream's frames dropped over the last minute (limit ${thresholds.droppedFramesPercent}%).`,
      ),
    },
    {
      sourceId: ids.lowBitrate(vm.vmId),
      active: lowBitrate,
      draft: draft(
        'warning',
        ids.lowBitrate(vm.vmId),
        `Low bitrate on ${vm.vmId}`,
        `The stream goes out at ${stream?.bitrateKbps ?? 0} kbit/s (floor ${thresholds.minBitrateKbps} kbit/s).`,
      ),
    },
  ];
}

/**
 * Compares one VM's stream conditions with the open alerts: alerts to create (at most one
 * unresolved per sourceId) and auto-resolving alerts whose condition is known to be clear.
 */
export function deriveStreamAlerts(
  input: StreamAlertInput & { openAlerts: readonly ScopedAlert[] },
): AlertChanges {
  const create: AlertDraft[] = [];
  const resolve: AlertResolution[] = [];
  const resolveOpen = (sourceId: string) => {
    for (const alert of input.openAlerts) {
      if (!alert.resolved && alert.autoResolve && alert.sourceId === sourceId)
        resolve.push({ scope: alert.scope, alertId: alert.id, sourceId: alert.sourceId });
    }
  };
  for (const condition of streamConditions(input)) {
    const open = input.openAlerts.some(
      (alert) => !alert.resolved && alert.sourceId === condition.sourceId,
    );
    if (condition.active === true && !open) create.push(condition.draft());
    if (condition.active === true && condition.supersedes !== undefined)
      resolveOpen(condition.supersedes);
    if (condition.active === false) resolveOpen(condition.sourceId);
  }
  return { create, resolve };
}
