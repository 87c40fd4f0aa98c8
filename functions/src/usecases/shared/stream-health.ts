import {
  alertScopeFor,
  deriveStreamAlerts,
  holdsAssignment,
  isCompetitionLive,
  orphanedStreamAlerts,
  parseAgentReport,
  POOL_ALERT_SCOPE,
  streamAlertSourceIds,
  streamAlertThresholds,
  type AgentReport,
  type AlertChanges,
  type PoolConfig,
  type ScopedAlert,
  type VmRecord,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { applyAlertChanges } from './alerts';
import { readConfigOrDefaults } from './pool-config';

/**
 * Stream health (issue 15) in the control plane: the alerts core's deriveStreamAlerts decides
 * (OBS gone while streaming, stream stopped while the competition is live, dropped frames,
 * low bitrate), after each agent report that moved its `stream` or `obs` section and in every
 * reconcile; and the VM's live preview removed when it leaves a competition or the pool.
 */

type Deps = Pick<UseCaseDeps, 'store' | 'clock' | 'logger'>;

function parsedOrNull(raw: unknown): AgentReport | null {
  if (raw === null || raw === undefined) return null;
  const parsed = parseAgentReport(raw);
  return parsed.ok ? parsed.value : null;
}

/** The agent writes `stream` and `obs` only when they move: a heartbeat leaves both alone. */
function streamSectionsOf(report: AgentReport | null): string {
  return JSON.stringify([report?.stream ?? null, report?.obs ?? null]);
}

/** The competition holding the VM is inside its scheduled show times now. */
async function competitionLive(deps: Deps, vm: VmRecord, now: number): Promise<boolean> {
  if (!holdsAssignment(vm) || vm.assignedTo === null) return false;
  return isCompetitionLive(await deps.store.getCompetitionConfig(vm.assignedTo), now);
}

async function changesFor(
  deps: Deps,
  vm: VmRecord,
  previousAgent: AgentReport | null,
  openAlerts: readonly ScopedAlert[],
  config: PoolConfig,
  now: number,
): Promise<AlertChanges> {
  return deriveStreamAlerts({
    vm,
    previousAgent,
    competitionLive: await competitionLive(deps, vm, now),
    config,
    thresholds: streamAlertThresholds(config),
    now,
    openAlerts: openAlerts.filter((alert) => alert.vmId === vm.vmId),
  });
}

/**
 * `vmPool/vms/{vmId}/agent` was written: when its `stream` or `obs` section moved, the VM's
 * stream alerts follow at once (a trigger's `before` tells whether OBS was streaming when it
 * went away). Safe to repeat: alerts are deduplicated by sourceId.
 */
export async function onStreamReport(
  deps: Deps,
  vm: VmRecord,
  before: unknown,
  after: unknown,
): Promise<{ created: number; resolved: number }> {
  const previous = parsedOrNull(before);
  if (streamSectionsOf(previous) === streamSectionsOf(parsedOrNull(after))) {
    return { created: 0, resolved: 0 };
  }
  const config = await readConfigOrDefaults(deps);
  const now = deps.clock.now();
  const scopes = [...new Set([alertScopeFor(vm), POOL_ALERT_SCOPE])];
  const openAlerts = (
    await Promise.all(scopes.map((scope) => deps.store.listActiveAlerts(scope)))
  ).flat();
  return applyAlertChanges(deps, await changesFor(deps, vm, previous, openAlerts, config, now));
}

/**
 * Reconcile's pass over the pool: a competition going live with nothing on air, VMs that left
 * their show, and alerts about VMs the pool no longer has. Without a trigger's `before`, "OBS
 * gone while streaming" is only ever resolved here (when OBS is back or the VM is released).
 */
export async function reconcileStreamAlerts(
  deps: Deps,
  input: {
    vms: readonly VmRecord[];
    activeAlerts: readonly ScopedAlert[];
    config: PoolConfig;
    now: number;
  },
): Promise<{ created: number; resolved: number }> {
  const { vms, activeAlerts, config, now } = input;
  const changes: AlertChanges = {
    create: [],
    resolve: orphanedStreamAlerts(activeAlerts, new Set(vms.map((vm) => vm.vmId))),
  };
  for (const vm of vms) {
    const vmChanges = await changesFor(deps, vm, null, activeAlerts, config, now);
    changes.create.push(...vmChanges.create);
    changes.resolve.push(...vmChanges.resolve);
  }
  return applyAlertChanges(deps, changes);
}

/**
 * The VM left a competition (release) or the pool (terminate): its preview and watchers go,
 * and (on release) its stream alerts in that competition are over. Safe to repeat.
 */
export async function clearStreamState(
  deps: Deps,
  vmId: string,
  releasedFrom: string | null = null,
): Promise<void> {
  await deps.store.clearPreview(vmId);
  if (releasedFrom === null) return;
  const now = deps.clock.now();
  for (const sourceId of Object.values(streamAlertSourceIds).map((id) => id(vmId))) {
    await deps.store.resolveAlert(releasedFrom, sourceId, now);
  }
}
