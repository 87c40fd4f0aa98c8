import { deriveAlerts, isAwaitingAgent } from '@vmpool/core';
import type { ComputeInstance } from '@vmpool/core/ports';
import type { UseCaseDeps } from '../deps';
import { applyAgentTransitions } from '../events/agent-report';
import { applyAlertChanges } from '../shared/alerts';
import { enforceDeadlines } from './deadlines';
import { stopIdleVms } from './idle-stop';
import { closeFinishedQuotaEntries, redriveOpenRequests, repairAssignments } from './repair';
import { failStaleAgents } from './stale-agents';
import { syncWithCompute } from './sync';
import { keepWarmMinimum } from './warm-minimum';

export interface ReconcileReport {
  regions: string[];
  /** Regions whose describe failed; their VMs were left as they were. */
  failedRegions: string[];
  adopted: number;
  synced: number;
  removed: number;
  stale: number;
  expired: number;
  repaired: number;
  redriven: number;
  started: number;
  launched: number;
  idleStopped: number;
  alertsCreated: number;
  alertsResolved: number;
  invalidRecords: number;
}

/**
 * The scheduled convergence pass: one describe per region for the whole pool, then sync,
 * stale heartbeats, deadlines, crash repair, warm minimum, idle stop and alerts.
 */
export async function reconcile(deps: UseCaseDeps): Promise<ReconcileReport> {
  const parsedConfig = await deps.store.readConfig();
  if (!parsedConfig.ok) {
    deps.logger.error('vmPool/config is invalid; reconcile skipped', {
      errors: parsedConfig.errors,
    });
    throw new Error(`vmPool/config is invalid: ${parsedConfig.errors.join('; ')}`);
  }
  const config = parsedConfig.value;
  const first = await deps.store.listVms();
  for (const invalid of first.invalid) {
    deps.logger.error('invalid VM record skipped', { ...invalid });
  }
  for (const problem of first.agentProblems) {
    deps.logger.warn('unreadable agent report; the agent counts as silent', { ...problem });
  }
  const regions = [
    ...new Set([
      config.awsRegion,
      ...deps.settings.extraRegions,
      ...first.vms.map((vm) => vm.region),
    ]),
  ].filter((region) => region !== '');
  const described = new Map<string, ComputeInstance[]>();
  const failedRegions: string[] = [];
  for (const region of regions) {
    try {
      described.set(region, await deps.compute.describePoolInstances(region, config.tags));
    } catch (error) {
      failedRegions.push(region);
      deps.logger.warn('describe failed; region skipped this round', {
        region,
        error: String(error),
      });
    }
  }
  const sync = await syncWithCompute(deps, config, first.vms, described);

  let vms = (await deps.store.listVms()).vms;
  // A starting VM whose agent is already ready (e.g. its report came before the record).
  for (const vm of vms) {
    if (isAwaitingAgent(vm.status) && vm.agent !== null) {
      await applyAgentTransitions(deps, vm, config, deps.clock.now());
    }
  }
  const stale = await failStaleAgents(deps, config, vms);
  const locks = await deps.store.listLocks();
  const expired = await enforceDeadlines(deps, config, vms, locks);
  const repaired = await repairAssignments(deps, vms, locks);
  const redriven = await redriveOpenRequests(deps);

  vms = (await deps.store.listVms()).vms;
  const { started, launched } = await keepWarmMinimum(deps, config, vms);
  const idleStopped = await stopIdleVms(deps, config, vms);

  vms = (await deps.store.listVms()).vms;
  const activeAlerts = await deps.store.listActiveAlerts();
  const now = deps.clock.now();
  const alerts = await applyAlertChanges(deps, deriveAlerts({ vms, activeAlerts, config, now }));
  // Issue 9: the producers' pool summary from the whole pool, and quota entries left open by a
  // crash between a request's final result and its quota.
  await deps.store.syncSummary(
    Object.fromEntries(
      vms.map((vm) => [vm.vmId, { status: vm.status, assigned: vm.assignedTo !== null }]),
    ),
    config.agentStaleSeconds,
  );
  await closeFinishedQuotaEntries(deps);
  const report: ReconcileReport = {
    regions,
    failedRegions,
    ...sync,
    stale,
    expired,
    repaired,
    redriven,
    started,
    launched,
    idleStopped,
    alertsCreated: alerts.created,
    alertsResolved: alerts.resolved,
    invalidRecords: first.invalid.length,
  };
  deps.logger.info('reconcile done', { ...report });
  return report;
}
