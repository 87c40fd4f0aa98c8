import {
  bootLeads,
  planSchedule,
  scheduleAlertChanges,
  SCHEDULE_REQUESTER,
  type PoolConfig,
  type PoolRequest,
  type ScheduledShow,
  type SchedulePlan,
  type VmRecord,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { handleRequest } from '../requests/handle-request';
import { applyAlertChanges } from '../shared/alerts';

/** Shows that ended longer ago than this are not read (their VMs were released long since). */
const SCHEDULE_LOOKBACK_MS = 7 * 86_400_000;

export interface ScheduleStepReport {
  plan: SchedulePlan;
  /** Assign requests the schedule made this run. */
  scheduledAssigns: number;
  /** Release requests the schedule made this run (auto-release). */
  scheduledReleases: number;
  scheduleAlertsCreated: number;
  scheduleAlertsResolved: number;
}

/** The scheduled competitions as the planner reads them: with their marks and their requests' state. */
async function readShows(deps: UseCaseDeps, config: PoolConfig, now: number) {
  const releaseGraceMs = config.autoReleaseAfterMinutes * 60_000;
  const competitions = await deps.store.listScheduledCompetitions(
    now - releaseGraceMs - SCHEDULE_LOOKBACK_MS,
  );
  const marks = await deps.store.listScheduleMarks();
  const shows: ScheduledShow[] = [];
  for (const competition of competitions) {
    const mark = marks.get(competition.competitionId) ?? null;
    let markRequestState: ScheduledShow['markRequestState'] = null;
    if (mark !== null && mark.requestId !== null && mark.startsAt === competition.startsAt) {
      markRequestState = (await deps.store.getRequest(mark.requestId))?.result?.state ?? null;
    }
    shows.push({ ...competition, mark, markRequestState });
  }
  return shows;
}

/**
 * The show schedule (core's planSchedule): assigns a VM to every show whose pre-warm window
 * has opened, through request rows with `requestedBy: "schedule"` (deterministic ids, written
 * with their mark, so a repeated run asks for nothing twice; their progress shows like any
 * request's), auto-releases shows past endsAt + autoReleaseAfterMinutes, and keeps its alerts
 * (conflicts, running late). The plan's warm minimum and reserved VMs go to the steps after it.
 */
export async function runSchedule(
  deps: UseCaseDeps,
  config: PoolConfig,
  vms: VmRecord[],
): Promise<ScheduleStepReport> {
  const now = deps.clock.now();
  const shows = await readShows(deps, config, now);
  const stats = await deps.store.readBootStats();
  const plan = planSchedule({ now, shows, vms, config, bootLeadMs: bootLeads(stats, config) });

  for (const entry of plan.marks) {
    if (entry.mark.requestId === null) {
      await deps.store.setScheduleMark(entry.competitionId, entry.mark);
    }
  }

  let scheduledAssigns = 0;
  for (const decision of plan.assign) {
    const request: PoolRequest = {
      action: 'assign',
      competitionId: decision.competitionId,
      options: decision.vmId === null ? {} : { preferredVmId: decision.vmId },
      requestedBy: SCHEDULE_REQUESTER,
      requestedAt: now,
    };
    // The planner marks every assign it asks for; the mark is written with the request.
    const mark = plan.marks.find(
      (entry) =>
        entry.competitionId === decision.competitionId &&
        entry.mark.requestId === decision.requestId,
    );
    if (mark === undefined) throw new Error(`schedule: no mark for ${decision.requestId}`);
    deps.logger.info('schedule assigns', { ...decision });
    await deps.store.createScheduleRequest(decision.requestId, request, mark);
    await handleRequest(deps, decision.requestId, request);
    scheduledAssigns += 1;
  }

  let scheduledReleases = 0;
  for (const decision of plan.release) {
    // One release per show end: a request that exists already runs (or ran) on its own.
    if ((await deps.store.getRequest(decision.requestId)) !== null) continue;
    const request: PoolRequest = {
      action: 'release',
      competitionId: decision.competitionId,
      options: { archiveRecordings: true, stopVM: decision.stopVM },
      requestedBy: SCHEDULE_REQUESTER,
      requestedAt: now,
    };
    deps.logger.info('schedule releases', { ...decision });
    await deps.store.createScheduleRequest(decision.requestId, request, null);
    await handleRequest(deps, decision.requestId, request);
    scheduledReleases += 1;
  }

  const alerts = await applyAlertChanges(
    deps,
    scheduleAlertChanges(plan, await deps.store.listActiveAlerts()),
  );
  for (const waiting of plan.waiting) {
    deps.logger.warn('scheduled show waits for a VM', { ...waiting });
  }
  return {
    plan,
    scheduledAssigns,
    scheduledReleases,
    scheduleAlertsCreated: alerts.created,
    scheduleAlertsResolved: alerts.resolved,
  };
}
