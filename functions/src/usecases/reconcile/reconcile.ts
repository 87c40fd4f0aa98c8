import { deriveAlerts, isAwaitingAgent } from '@vmpool/core';
import type { ComputeInstance } from '@vmpool/core/ports';
import type { UseCaseDeps } from '../deps';
import { applyAgentTransitions } from '../events/agent-report';
import { applyAlertChanges } from '../shared/alerts';
import { reconcileStreamAlerts } from '../shared/stream-health';
import { enforceDeadlines } from './deadlines';
import { watchFailovers, type FailoverReport } from '../failover/watch';
import { stopIdleVms } from './idle-stop';
import { closeFinishedQuotaEntries, redriveOpenRequests, repairAssignments } from './repair';
import { rollUpCosts } from './cost-rollup';
import { pruneStatusHistory, type HistoryRetentionReport } from './history-retention';
import { runSchedule } from './schedule';
import { failStaleAgents } from './stale-agents';
import { judgePoolHealth } from '../recovery/health-failure';
import { recoverFailedVms, redriveEc2Calls } from './recover-failed';
import { syncWithCompute } from './sync';
import { keepWarmMinimum } from './warm-minimum';
import { withVmsReadOnce } from './vms-read-once';

export interface ReconcileReport {
  regions: string[];
  /** Regions whose describe failed; their VMs were left as they were. */
  failedRegions: string[];
  adopted: number;
  synced: number;
  removed: number;
  stale: number;
  /** Free VMs failed for their health (health_failed). */
  healthFailed: number;
  expired: number;
  repaired: number;
  redriven: number;
  /** Failed VMs whose recovery ran this round (out of error, or a cleanup re-run moved on). */
  recovered: number;
  /** Failed VMs left in error for an admin (attempts ran out, or a cause that never clears). */
  needsAdmin: number;
  started: number;
  launched: number;
  idleStopped: number;
  alertsCreated: number;
  alertsResolved: number;
  invalidRecords: number;
  // --- show schedule and cost (issue 13)
  scheduledAssigns: number;
  scheduledReleases: number;
  scheduleConflicts: number;
  warmMinimum: number;
  costMonths: string[];
  historyRepaired: number;
  failover: FailoverReport;
  // --- status history retention (issue 13)
  historyRetention: HistoryRetentionReport;
}

/**
 * The scheduled convergence pass: one describe per region for the whole pool, then sync,
 * stale heartbeats, deadlines, crash repair, warm minimum, idle stop and alerts.
 */
export async function reconcile(caller: UseCaseDeps): Promise<ReconcileReport> {
  // Issue 17: vmPool/vms is read once per run; every step below sees it as the steps before left it.
  const deps = withVmsReadOnce(caller);
  const parsedConfig = await deps.store.readConfig();
  if (!parsedConfig.ok) {
    deps.logger.error('vmPool/config is invalid; reconcile skipped', {
      errors: parsedConfig.errors,
    });
    throw new Error(`vmPool/config is invalid: ${parsedConfig.errors.join('; ')}`);
  }
  const config = parsedConfig.value;
  // One-shot data migrations after a deploy (each records itself; a no-op read afterwards).
  const migration = await deps.store.migrateAgentPulse(deps.clock.now());
  if (migration.ran) {
    deps.logger.info('migration agent-pulse done', { moved: migration.moved });
  }
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
  // Issue 11: a free VM unhealthy past the grace leaves the pool (health_failed) until healthy.
  const healthFailed = await judgePoolHealth(deps, config, (await deps.store.listVms()).vms);
  await redriveEc2Calls(deps, vms);
  // Failover (issue 12): before crash repair, so a switch in progress resumes first.
  const failover = await watchFailovers(deps, config, (await deps.store.listVms()).vms);
  // Deadlines and repair see the pool as the failover left it (never an older view).
  vms = (await deps.store.listVms()).vms;
  const locks = await deps.store.listLocks();
  const expired = await enforceDeadlines(deps, config, vms, locks);
  const repaired = await repairAssignments(deps, vms, locks);
  const redriven = await redriveOpenRequests(deps);
  const recovery = await recoverFailedVms(deps, config);

  // --- Show schedule (issue 13): assigns before shows, auto-release after them; its warm
  // minimum and the VMs it reserves for upcoming shows go to the warm minimum and idle stop.
  vms = (await deps.store.listVms()).vms;
  const schedule = await runSchedule(deps, config, vms);
  const scheduledConfig = { ...config, minWarmVMs: schedule.plan.warmMinimum };
  const reserved = new Set(schedule.plan.reservedVmIds);
  vms = (await deps.store.listVms()).vms;
  const { started, launched } = await keepWarmMinimum(deps, scheduledConfig, vms);
  const idleStopped = await stopIdleVms(
    deps,
    scheduledConfig,
    vms.filter((vm) => !reserved.has(vm.vmId)),
  );
  // --- end of the show schedule

  vms = (await deps.store.listVms()).vms;
  // The allocation index (what assigns rank) from the records, whatever it missed meanwhile.
  await deps.store.rewriteAllocationIndex(vms);
  const activeAlerts = await deps.store.listActiveAlerts();
  const now = deps.clock.now();
  const alerts = await applyAlertChanges(deps, deriveAlerts({ vms, activeAlerts, config, now }));
  // --- Cost (issue 13): status history gaps closed, vmPool/costs/{month} rolled up.
  const { histories, ...costs } = await rollUpCosts(deps, config, vms);
  // Status history retention (issue 13): after the rollup, from what it counted.
  const historyRetention = await pruneStatusHistory(deps, config, histories, vms);
  // Stream health alerts (issue 15).
  const streamAlerts = await reconcileStreamAlerts(deps, { vms, activeAlerts, config, now });
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
    healthFailed,
    expired,
    repaired,
    redriven,
    ...recovery,
    started,
    launched,
    idleStopped,
    alertsCreated: alerts.created + streamAlerts.created,
    alertsResolved: alerts.resolved + streamAlerts.resolved,
    invalidRecords: first.invalid.length,
    scheduledAssigns: schedule.scheduledAssigns,
    scheduledReleases: schedule.scheduledReleases,
    scheduleConflicts: schedule.plan.conflicts.length,
    warmMinimum: schedule.plan.warmMinimum,
    ...costs,
    failover,
    historyRetention,
  };
  deps.logger.info('reconcile done', { ...report });
  return report;
}
