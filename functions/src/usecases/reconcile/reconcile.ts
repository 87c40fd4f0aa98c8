import {
  deriveAlerts,
  idleStopCandidates,
  idleStoppedAlert,
  warmPoolStatus,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import type { ComputeInstance } from '@vmpool/core/ports';
import { applyAlertChanges, raiseAlert } from '../shared/alerts';
import type { UseCaseDeps } from '../deps';
import { applyAgentTransitions, STALE_REASON_PREFIX } from '../events/agent-report';
import { launchPoolVm } from '../shared/launch-pool-vm';
import { enforceDeadlines } from './deadlines';
import { redriveOpenRequests, repairAssignments } from './repair';
import { syncWithCompute } from './sync';
import { changeStatus } from '../shared/vm-changes';
import { failsOnStaleAgent, healthVerdict, isAwaitingAgent } from '@vmpool/core';

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

/** Running VMs whose agent stopped reporting go to error (alerts follow from deriveAlerts). */
async function failStaleAgents(
  deps: UseCaseDeps,
  config: PoolConfig,
  vms: VmRecord[],
): Promise<number> {
  const now = deps.clock.now();
  const graceMs = config.agentStaleSeconds * 1000;
  let failed = 0;
  for (const vm of vms) {
    if (!failsOnStaleAgent(vm.status)) continue;
    if (now - vm.statusChangedAt <= graceMs) continue;
    const verdict = healthVerdict(vm.agent, config, now);
    if (!verdict.agentStale) continue;
    const { committed } = await deps.store.updateVm(vm.vmId, (current) =>
      current.status === vm.status
        ? changeStatus(
            current,
            'fail',
            now,
            `${STALE_REASON_PREFIX}: ${verdict.reasons.join('; ')}`,
            {
              healthStatus: verdict.status,
              lastHealthCheck: now,
            },
          )
        : null,
    );
    if (committed) failed += 1;
  }
  return failed;
}

async function keepWarmMinimum(
  deps: UseCaseDeps,
  config: PoolConfig,
  vms: VmRecord[],
): Promise<{ started: number; launched: number }> {
  const status = warmPoolStatus(vms, config);
  const now = deps.clock.now();
  let started = 0;
  for (const vm of status.toStart) {
    const { committed, vm: starting } = await deps.store.updateVm(vm.vmId, (current) =>
      changeStatus(current, 'start_requested', now, 'started to keep the warm minimum', {
        lastStartedAt: now,
        deadline: now + config.warmupTimeSeconds * 1000 * deps.settings.startDeadlineFactor,
      }),
    );
    if (!committed || starting === null) continue;
    started += 1;
    await deps.compute.startInstance(vm.region, vm.instanceId).catch(async (error: unknown) => {
      await deps.store.updateVm(vm.vmId, (current) =>
        isAwaitingAgent(current.status)
          ? changeStatus(
              current,
              'fail',
              deps.clock.now(),
              `warm-up start failed: ${String(error)}`,
              {
                deadline: null,
              },
            )
          : null,
      );
    });
  }
  let launched = 0;
  for (let i = 0; i < status.toLaunch; i += 1) {
    try {
      await launchPoolVm(deps, {
        config,
        requestId: `warm-${now}-${i}`,
        region: config.awsRegion,
        instanceType: config.instanceType,
      });
      launched += 1;
    } catch (error) {
      deps.logger.warn('warm-pool launch failed', { error: String(error) });
      break;
    }
  }
  return { started, launched };
}

async function stopIdleVms(
  deps: UseCaseDeps,
  config: PoolConfig,
  vms: VmRecord[],
): Promise<number> {
  const now = deps.clock.now();
  let stopped = 0;
  for (const vm of idleStopCandidates(vms, config, now)) {
    const { committed } = await deps.store.updateVm(vm.vmId, (current) =>
      changeStatus(current, 'stop_requested', now, `idle for ${config.autoStopAfterHours} h`, {
        deadline: now + deps.settings.stopDeadlineMs,
      }),
    );
    if (!committed) continue;
    stopped += 1;
    await deps.compute.stopInstance(vm.region, vm.instanceId).catch((error: unknown) =>
      deps.logger.warn('idle stop failed; the deadline retries it', {
        vmId: vm.vmId,
        error: String(error),
      }),
    );
    await raiseAlert(deps, idleStoppedAlert(vm, now, config.autoStopAfterHours));
  }
  return stopped;
}
