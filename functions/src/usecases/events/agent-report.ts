import {
  deriveAlerts,
  healthVerdict,
  parseAgentReport,
  POOL_ALERT_SCOPE,
  readyEvent,
  alertScopeFor,
  isAssignedOffAir,
  isAwaitingAgent,
  isFailed,
  showEvent,
  type AgentReport,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import { applyAlertChanges } from '../shared/alerts';
import { readConfigOrDefaults } from '../shared/pool-config';
import type { UseCaseDeps } from '../deps';
import { COLD_ASSIGN_STEPS, handOver, LAUNCH_ASSIGN_STEPS } from '../assign/hand-over';
import { changeStatus } from '../shared/vm-changes';
import { recordBootTime } from './boot-stats';
import { recoverVm } from '../recovery/recover-vm';
import { judgeVmHealth } from '../recovery/health-failure';
import { watchVmNow } from '../failover/watch';
import { onStreamReport } from '../shared/stream-health';

function signature(report: AgentReport | null): string {
  if (report === null) return 'none';
  const services = Object.entries(report.services)
    .map(([name, status]) => `${name}:${status.state}`)
    .sort()
    .join(',');
  const show = report.show
    ? `${report.show.reachable}/${report.show.obsConnected}/${report.show.obsIsStreaming}`
    : '-';
  return `${report.online}|${report.bootId}|${services}|${show}|${report.publicIp ?? ''}`;
}

function parsedOrNull(raw: unknown): AgentReport | null {
  if (raw === null || raw === undefined) return null;
  const parsed = parseAgentReport(raw);
  return parsed.ok ? parsed.value : null;
}

/** The agent has come up since the VM was (re)started and its show server answers. */
function isReady(vm: VmRecord, config: PoolConfig, now: number): boolean {
  const agent = vm.agent;
  if (agent === null) return false;
  const verdict = healthVerdict(agent, config, now);
  if (verdict.agentStale) return false;
  if (verdict.status !== 'healthy' && verdict.status !== 'degraded') return false;
  const since = vm.lastStartedAt ?? 0;
  return (agent.startedAt ?? agent.lastSeen) >= since;
}

/**
 * The agent's report changed: a starting VM whose agent is ready becomes available (or is
 * handed to the competition waiting for it), a live show moves the VM to in_use and back,
 * and the VM's alerts follow its health. Heartbeats that change nothing are ignored.
 */
export async function onAgentReport(
  deps: UseCaseDeps,
  vmId: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  const previous = parsedOrNull(before);
  const current = parsedOrNull(after);
  if (after !== null && after !== undefined && current === null) {
    deps.logger.warn('agent report is invalid; ignored', { vmId });
    return;
  }
  const vm = await deps.store.getVm(vmId);
  if (vm === null) return;
  // Stream health alerts (issue 15): on every move of the stream or obs section.
  await onStreamReport(deps, vm, before, after);
  const changed = signature(previous) !== signature(current);
  if (!changed && !isAwaitingAgent(vm.status)) return;

  const config = await readConfigOrDefaults(deps);
  const now = deps.clock.now();
  const updated = await applyAgentTransitions(deps, vm, config, now);
  if (!changed) return;

  // Failover (issue 12): an agent that just went offline starts its VM's failure clock now.
  if (previous?.online === true && current?.online !== true) {
    try {
      await watchVmNow(deps, config, updated ?? vm);
    } catch (error) {
      deps.logger.error('failover: judging a VM whose agent went offline failed', {
        vmId,
        error: String(error),
      });
    }
  }

  const subject = updated ?? vm;
  const scopes = [...new Set([alertScopeFor(subject), POOL_ALERT_SCOPE])];
  const activeAlerts = (
    await Promise.all(scopes.map((scope) => deps.store.listActiveAlerts(scope)))
  )
    .flat()
    .filter((alert) => alert.vmId === vmId);
  const changes = deriveAlerts({ vms: [subject], activeAlerts, config, now });
  await applyAlertChanges(deps, {
    create: changes.create.filter((draft) => draft.vmId === vmId),
    resolve: changes.resolve,
  });
}

/** The VM with the addresses EC2 reports for its instance now (unchanged when EC2 cannot say). */
export async function withEc2Addresses(
  deps: UseCaseDeps,
  vm: VmRecord,
  config: PoolConfig,
): Promise<VmRecord> {
  let instance;
  try {
    instance = (await deps.compute.describePoolInstances(vm.region, config.tags)).find(
      (candidate) => candidate.instanceId === vm.instanceId,
    );
  } catch (error) {
    deps.logger.warn('could not read the VM address from EC2; reconcile will', {
      vmId: vm.vmId,
      error: String(error),
    });
    return vm;
  }
  if (instance === undefined) return vm;
  const { publicIp, privateIp, publicDns } = instance;
  if (vm.publicIp === publicIp && vm.privateIp === privateIp && vm.publicDns === publicDns) {
    return vm;
  }
  const { vm: updated } = await deps.store.updateVm(vm.vmId, (current) =>
    current.instanceId === instance.instanceId
      ? { ...current, publicIp, privateIp, publicDns }
      : null,
  );
  return updated ?? vm;
}

/** The status changes the agent's current report implies (also run by reconcile). */
export async function applyAgentTransitions(
  deps: UseCaseDeps,
  vm: VmRecord,
  config: PoolConfig,
  now: number,
): Promise<VmRecord | null> {
  const verdict = healthVerdict(vm.agent, config, now);
  let readyFrom: VmRecord | null = null;
  const { vm: updated } = await deps.store.updateVm(vm.vmId, (latest) => {
    readyFrom = null;
    const health = { healthStatus: verdict.status, lastHealthCheck: now };
    if (isAwaitingAgent(latest.status) && isReady(latest, config, now)) {
      readyFrom = latest;
      return changeStatus(latest, readyEvent(latest), now, 'agent reported ready', {
        ...health,
        deadline: null,
      });
    }
    const streaming = latest.agent?.show?.obsIsStreaming === true;
    const show = showEvent(latest.status, streaming);
    if (show !== null) {
      const reason = streaming ? 'OBS is streaming' : 'OBS stopped streaming';
      return changeStatus(latest, show, now, reason, health);
    }
    return latest.healthStatus === verdict.status ? null : { ...latest, ...health };
  });
  if (readyFrom !== null && updated !== null) {
    await recordBootTime(deps, readyFrom, updated, config, now);
  }
  // Ready for its competition after a start or a recovery: hand it over now, at the address
  // EC2 gave this start (a started instance gets a new public address; reconcile has not seen it
  // yet, and what the agent reports is not taken in production).
  const readyForCompetition =
    updated !== null && isAssignedOffAir(updated.status)
      ? await withEc2Addresses(deps, updated, config)
      : null;
  if (readyForCompetition !== null && isAwaitingAgent(vm.status)) {
    // A VM launched for this competition was assigned the moment it was created.
    const launched = readyForCompetition.assignedAt === readyForCompetition.createdAt;
    await handOver(deps, readyForCompetition, launched ? LAUNCH_ASSIGN_STEPS : COLD_ASSIGN_STEPS);
  }
  // Issue 11: a free VM unhealthy past the grace leaves the pool (health_failed).
  if (updated !== null && (await judgeVmHealth(deps, updated.vmId, config, now))) {
    return deps.store.getVm(updated.vmId);
  }
  // A failed VM whose cause has cleared with this report recovers (core's recovery policy).
  if (updated !== null && isFailed(updated.status)) {
    await recoverVm(deps, updated.vmId, config);
    return deps.store.getVm(updated.vmId);
  }
  return updated;
}
