import {
  agentGone,
  degradedAlert,
  ec2Dead,
  failedOnlyAlert,
  failoverSourceIds,
  failoverStep,
  failoverWatchedCompetition,
  failureVerdict,
  isOpenFailover,
  offerAlert,
  pickVmForAssignment,
  type FailoverRecord,
  type FailureVerdict,
  type PoolConfig,
  type ShowServerReach,
  type VmRecord,
} from '@vmpool/core';
import type { InstanceStatusChecks } from '@vmpool/core/ports';
import { isPendingInstanceId } from '../shared/launch-pool-vm';
import { FAILOVER_REQUESTER } from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { raiseAlert, resolveAlert } from '../shared/alerts';
import { audit } from '../shared/audit';
import { markSpareLive } from './spare-live';
import { handleFailedVm } from './failed-vm';
import { scheduleFailoverRecheck } from './recheck-schedule';
import { driveSwitch, switchShow } from './switch-show';

export interface FailoverReport {
  watching: number;
  switched: number;
  offered: number;
  alerted: number;
  cleared: number;
  degraded: number;
}

/**
 * Failover detection (run by reconcile): every VM handed to a competition is judged (agent,
 * EC2, and, only when its agent is gone, a probe of its show server at the competition's
 * vmAddress); a failure that lasted failoverAfterSeconds is switched, offered or alerted per
 * `failoverMode`; switches in progress are driven on and their spares watched until live.
 */
export async function watchFailovers(
  deps: UseCaseDeps,
  config: PoolConfig,
  vms: VmRecord[],
): Promise<FailoverReport> {
  const report: FailoverReport = {
    watching: 0,
    switched: 0,
    offered: 0,
    alerted: 0,
    cleared: 0,
    degraded: 0,
  };
  const checks = await statusChecksOf(
    deps,
    vms.filter((vm) => failoverWatchedCompetition(vm) !== null),
  );
  // Each VM concurrently: a probe of a hung show server waits for its timeouts, and each
  // competition's steps are guarded transactions of their own.
  await Promise.all(
    vms.map(async (vm) => {
      const competitionId = failoverWatchedCompetition(vm);
      if (competitionId === null) return;
      try {
        const vmChecks = checks.get(vm.instanceId) ?? null;
        await watchOne(
          deps,
          config,
          vm,
          competitionId,
          () => Promise.resolve(vms),
          report,
          vmChecks,
        );
      } catch (error) {
        deps.logger.error('failover: watching a VM failed', {
          vmId: vm.vmId,
          competitionId,
          error: String(error),
        });
      }
    }),
  );
  for (const record of await deps.store.listFailovers()) {
    try {
      if (record.state === 'switching') {
        // Every step checks what it changes, so driving a switch again resumes it.
        const outcome = await driveSwitch(deps, record, config);
        if (outcome.kind === 'switched') report.switched += 1;
      } else if (record.state === 'switched' && record.liveAt === null) {
        await markSpareLive(deps, record, config);
      }
      // The failed VM's reboot or stop (failedVmAction), when a crash cut the switch short.
      if (record.state !== 'watching' && record.failedVmHandled === null) {
        await handleFailedVm(
          deps,
          (await deps.store.getFailover(record.competitionId)) ?? record,
          config,
        );
      }
    } catch (error) {
      deps.logger.error('failover: driving a switch failed', {
        competitionId: record.competitionId,
        error: String(error),
      });
    }
  }
  return report;
}

async function watchOne(
  deps: UseCaseDeps,
  config: PoolConfig,
  vm: VmRecord,
  competitionId: string,
  pool: () => Promise<VmRecord[]>,
  report: FailoverReport,
  statusChecks: InstanceStatusChecks | null,
): Promise<void> {
  // Only a VM its competition points at is on a show; anything else is an assign's business.
  const competition = await deps.store.getCompetitionConfig(competitionId);
  if (competition?.vmId !== vm.vmId) return;
  const now = deps.clock.now();
  // EC2's state as DescribeInstanceStatus just gave it: the record's may lag (a start's
  // `running` is only synced by reconcile or an EC2 event).
  const seen = statusChecks === null ? vm : { ...vm, ec2State: statusChecks.state };
  const verdict = failureVerdict(
    seen,
    config,
    now,
    await probe(deps, seen, config, now, competition),
    statusChecks,
  );
  const facts = { competitionId, failedVmId: vm.vmId, now };

  if (verdict.kind === 'degraded') {
    if (await raiseAlert(deps, degradedAlert({ ...facts, reason: verdict.reason }))) {
      report.degraded += 1;
    }
  } else {
    await resolveAlert(deps, competitionId, failoverSourceIds.degraded(vm.vmId));
  }

  const record = await deps.store.getFailover(competitionId);
  const step = failoverStep(record, vm.vmId, verdict, config, now);
  switch (step.kind) {
    case 'none':
    case 'resume': // driven by the loop over the records
      return;
    case 'watch':
      await startWatching(deps, config, vm.vmId, competitionId, step.since, step.reason);
      report.watching += 1;
      return;
    case 'clear':
      await clear(deps, vm.vmId, competitionId);
      report.cleared += 1;
      return;
    case 'switch': {
      const outcome = await switchShow(deps, {
        competitionId,
        failedVmId: vm.vmId,
        config,
        by: FAILOVER_REQUESTER,
      });
      if (outcome.kind === 'switched') report.switched += 1;
      return;
    }
    case 'offer':
    case 'alert': {
      const reason = failedReason(verdict, record);
      const state = step.kind === 'offer' ? 'offered' : 'alerted';
      // The spare the offer names: what the shared allocation would pick now.
      const pick = pickVmForAssignment(
        (await pool()).filter((candidate) => candidate.vmId !== vm.vmId),
        { competitionId },
        config,
      );
      const offeredVmId =
        step.kind === 'offer' && (pick.kind === 'warm' || pick.kind === 'cold')
          ? pick.vm.vmId
          : null;
      const marked = await deps.store.updateFailover(competitionId, (current) =>
        current?.failedVmId === vm.vmId && current.state === 'watching'
          ? { ...current, state, offeredVmId, updatedAt: now }
          : undefined,
      );
      if (marked?.state !== state) return;
      if (step.kind === 'offer') {
        await raiseAlert(deps, offerAlert({ ...facts, reason, spareVmId: offeredVmId }));
        report.offered += 1;
      } else {
        await raiseAlert(deps, failedOnlyAlert({ ...facts, reason }));
        report.alerted += 1;
      }
      await audit(deps, `failover-${vm.vmId}-${marked.since.toString(36)}-${state}`, {
        at: now,
        actor: 'system',
        action: `failover.${state}`,
        target: { competitionId, vmId: vm.vmId },
        outcome: 'succeeded',
        detail: `${vm.vmId} failed (${reason}) for ${config.failoverAfterSeconds}s; failoverMode ${config.failoverMode}`,
      });
      return;
    }
  }
}

/**
 * The agent of `vmId` just went offline (its presence): judge that VM now rather than at the
 * next reconcile, so the failure's clock starts at once. Reconcile does the rest.
 */
export async function watchVmNow(
  deps: UseCaseDeps,
  config: PoolConfig,
  vm: VmRecord,
): Promise<void> {
  const competitionId = failoverWatchedCompetition(vm);
  if (competitionId === null) return;
  const report: FailoverReport = {
    watching: 0,
    switched: 0,
    offered: 0,
    alerted: 0,
    cleared: 0,
    degraded: 0,
  };
  const checks = await statusChecksOf(deps, [vm]);
  await watchOne(
    deps,
    config,
    vm,
    competitionId,
    async () => (await deps.store.listVms()).vms,
    report,
    checks.get(vm.instanceId) ?? null,
  );
}

// --- status checks (issue 12)
/**
 * EC2's state and status checks of `vms`, by instance id: one DescribeInstanceStatus (with
 * IncludeAllInstances) per region. A region whose call fails is judged without them this time
 * (logged); an instance EC2 does not know is left out.
 */
async function statusChecksOf(
  deps: UseCaseDeps,
  vms: VmRecord[],
): Promise<Map<string, InstanceStatusChecks>> {
  const byRegion = new Map<string, string[]>();
  for (const vm of vms) {
    if (isPendingInstanceId(vm.instanceId)) continue;
    byRegion.set(vm.region, [...(byRegion.get(vm.region) ?? []), vm.instanceId]);
  }
  const found = new Map<string, InstanceStatusChecks>();
  for (const [region, instanceIds] of byRegion) {
    try {
      for (const status of await deps.compute.describeInstanceStatus(region, instanceIds)) {
        found.set(status.instanceId, status);
      }
    } catch (error) {
      deps.logger.warn('failover: EC2 status checks could not be read; judged without them', {
        region,
        error: String(error),
      });
    }
  }
  return found;
}
// --- end status checks

function failedReason(verdict: FailureVerdict, record: FailoverRecord | null): string {
  return verdict.kind === 'failed' ? verdict.reason : (record?.reason ?? 'failed');
}

/**
 * The show server is probed only when the agent is gone and EC2 still runs the instance (the
 * verdict does not need it otherwise); no address counts as unreachable.
 */
async function probe(
  deps: UseCaseDeps,
  vm: VmRecord,
  config: PoolConfig,
  now: number,
  competition: { vmAddress: string | null },
): Promise<ShowServerReach | null> {
  if (ec2Dead(vm) || !agentGone(vm, config, now)) return null;
  if (competition.vmAddress === null) return null;
  return (await deps.showProbe.reachable(competition.vmAddress)) ? 'reachable' : 'unreachable';
}

async function startWatching(
  deps: UseCaseDeps,
  config: PoolConfig,
  vmId: string,
  competitionId: string,
  since: number,
  reason: string,
): Promise<void> {
  const record = await deps.store.updateFailover(competitionId, (current) =>
    current !== null && current.failedVmId === vmId && isOpenFailover(current)
      ? undefined
      : {
          competitionId,
          failedVmId: vmId,
          state: 'watching',
          since,
          reason,
          mode: config.failoverMode,
          requestId: null,
          spareVmId: null,
          spareAddress: null,
          offeredVmId: null,
          restored: null,
          switchedBy: null,
          liveAt: null,
          detail: null,
          updatedAt: since,
          failedVmHandled: null,
        },
  );
  if (record?.since !== since || record.failedVmId !== vmId) return;
  await audit(deps, `failover-${vmId}-${since.toString(36)}-detected`, {
    at: since,
    actor: 'system',
    action: 'failover.detected',
    target: { competitionId, vmId },
    outcome: 'succeeded',
    detail: `${vmId} failed (${reason}); failoverMode ${config.failoverMode}, acting after ${config.failoverAfterSeconds}s`,
  });
  // Acted on once it lasted failoverAfterSeconds, not at the next reconcile (issue 12).
  await scheduleFailoverRecheck(deps, config, { competitionId, vmId, since, round: 0 }, since);
}

async function clear(deps: UseCaseDeps, vmId: string, competitionId: string): Promise<void> {
  const now = deps.clock.now();
  let cleared: FailoverRecord | null = null;
  await deps.store.updateFailover(competitionId, (current) => {
    if (
      current?.failedVmId !== vmId ||
      (current.state !== 'watching' && current.state !== 'offered' && current.state !== 'alerted')
    ) {
      return undefined;
    }
    cleared = current;
    return null;
  });
  if (cleared === null) return;
  const { state, since } = cleared as FailoverRecord;
  if (state !== 'watching') {
    await resolveAlert(deps, competitionId, failoverSourceIds.failed(vmId));
  }
  await audit(deps, `failover-${vmId}-${since.toString(36)}-cleared`, {
    at: now,
    actor: 'system',
    action: 'failover.cleared',
    target: { competitionId, vmId },
    outcome: 'succeeded',
    detail: `${vmId} is answering again; no failover`,
  });
}
