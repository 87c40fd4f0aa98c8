// The show schedule: VMs ready before every scheduled show, released after it. A pure planner:
// the control plane calls planSchedule() on every reconcile with what it read, and carries out
// the decisions (assign and release requests with requestedBy "schedule", schedule marks,
// alerts, the effective warm minimum).
import { POOL_ALERT_SCOPE } from '../../contract/ids';
import { offScheduleWarmMinimum, type PoolConfig } from '../../contract/pool-config';
import type { RequestState } from '../../contract/request';
import { MAX_SCHEDULE_ATTEMPTS, type ScheduleMark } from '../../contract/schedule';
import type { VmRecord } from '../../contract/vm-record';
import { holdsAssignment, isCold, isOnAir, isReleasing, isWarm } from '../vm-status';
import { heldAssignments, vmHeldBy } from './allocation';
import { missingLaunchSettings } from './launch-settings';
import type { AlertChanges, AlertDraft, AlertResolution, ScopedAlert } from './alerts';
import type { BootLeadLookup } from './boot-estimate';
import { hourlyPriceFor } from './pricing';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** How often the planner runs (reconcile): a decision due before the next run is taken now. */
export const DEFAULT_SCHEDULE_TICK_MS = 60_000;
/** From a warm assign request to a handed-over VM (claim, config write), with room to spare. */
export const DEFAULT_WARM_ASSIGN_LEAD_MS = 60_000;
/**
 * A show that goes off air within this long before its scheduled end (after having gone on
 * air) and stays off air for autoReleaseAfterMinutes has ended early: its VM is released then
 * rather than after endsAt. Earlier than this a pause is taken for a break, not the end.
 */
export const EARLY_END_WINDOW_MS = 30 * 60_000;
/** Conflicts are looked for this far ahead, so that they are raised early. */
export const DEFAULT_CONFLICT_HORIZON_MS = 14 * 24 * HOUR_MS;

/** A competition with `startsAt` and `endsAt`, and what the schedule has done about it. */
export interface ScheduledShow {
  competitionId: string;
  /** For alerts and the UI; the id when absent. */
  name?: string;
  startsAt: number;
  endsAt: number;
  /** `vmPool/schedule/{compId}`, or null. A mark for another startsAt is ignored. */
  mark: ScheduleMark | null;
  /** The state of the mark's request result; null while it has none (not picked up yet). */
  markRequestState: RequestState | null;
}

export interface ScheduleInput {
  now: number;
  shows: readonly ScheduledShow[];
  vms: readonly VmRecord[];
  config: PoolConfig;
  /** Measured start-to-ready leads (p90 + margin) by region and instance type: bootLeads(). */
  bootLeadMs: BootLeadLookup;
  tickMs?: number;
  warmAssignLeadMs?: number;
  conflictHorizonMs?: number;
}

/** How a show gets its VM: a warm (running, free) VM, a cold start, or a new instance. */
export type ScheduleVia = 'warm' | 'cold' | 'launch';

/** An assign request to create now (`requestedBy: "schedule"`). */
export interface ScheduleAssign {
  competitionId: string;
  /** Deterministic: creating it twice is a no-op (create-only). */
  requestId: string;
  attempt: number;
  via: ScheduleVia;
  /** `options.preferredVmId`; null for a launch. */
  vmId: string | null;
  /** When the request fell due. */
  dueAt: number;
  /** startsAt - preWarmMinutes: the VM is to be ready by then. */
  readyBy: number;
  reason: string;
}

/** A release request to create now (`requestedBy: "schedule"`, archiving recordings). */
export interface ScheduleRelease {
  competitionId: string;
  vmId: string;
  requestId: string;
  /** false when the VM is needed again soon (a show, the warm minimum): it stays warm. */
  stopVM: boolean;
  reason: string;
}

/** A mark to write at `vmPool/schedule/{compId}` (with the request, in one update). */
export interface ScheduleMarkWrite {
  competitionId: string;
  mark: ScheduleMark;
}

/** A show that will not get a VM: more shows overlap than the pool can serve at once. */
export interface ScheduleConflict {
  competitionId: string;
  name: string;
  startsAt: number;
  readyBy: number;
  /** The shows holding the capacity when this one needs it. */
  overlapping: string[];
}

/** A show inside its window without a VM that cannot be served right now, and why. */
export interface ScheduleWaiting {
  competitionId: string;
  code: 'CAPACITY_LIMIT' | 'NO_VM_AVAILABLE' | 'GAVE_UP' | 'STARTING';
  reason: string;
}

/** A show past endsAt + autoReleaseAfterMinutes whose VM is still streaming or recording. */
export interface ShowRunningLate {
  competitionId: string;
  vmId: string;
  endsAt: number;
}

/** How an upcoming show will be served, for the UI and the projection. */
export interface UpcomingAssign {
  competitionId: string;
  via: ScheduleVia;
  vmId: string | null;
  dueAt: number;
  readyBy: number;
}

export interface SchedulePlan {
  now: number;
  /** Some scheduled show is inside its pre-warm window (startsAt - preWarmMinutes .. startsAt). */
  onSchedule: boolean;
  /** The warm minimum to apply now: minWarmVMs on schedule, minWarmVMsOffSchedule otherwise. */
  warmMinimum: number;
  assign: ScheduleAssign[];
  release: ScheduleRelease[];
  marks: ScheduleMarkWrite[];
  conflicts: ScheduleConflict[];
  waiting: ScheduleWaiting[];
  runningLate: ShowRunningLate[];
  upcoming: UpcomingAssign[];
  /** Free VMs the plan counts on for upcoming shows: idle auto-stop must leave them alone. */
  reservedVmIds: string[];
  /** The schedule's alert conditions that hold now (see scheduleAlertChanges). */
  alerts: AlertDraft[];
}

export const scheduleAlertSourceIds = {
  conflict: (competitionId: string) => `schedule-conflict-${competitionId}`,
  runningLate: (competitionId: string) => `show-running-late-${competitionId}`,
} as const;

const SCHEDULE_SOURCE_PATTERN = /^(schedule-conflict|show-running-late)-/;

/** FNV-1a, 32 bits, base 36: short stable ids from competition ids of any length. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

/**
 * The id of the schedule's request for a show (matches the request id pattern, at most 64
 * characters): the same show, time and attempt always give the same id, so a repeated
 * reconcile creates nothing twice.
 */
export function scheduleRequestId(
  action: 'assign' | 'release',
  competitionId: string,
  at: number,
  attempt = 1,
): string {
  const readable = competitionId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 24);
  return `sched-${action === 'assign' ? 'a' : 'r'}${attempt}-${readable}-${shortHash(competitionId)}-${at.toString(36)}`;
}

function describeTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function showName(show: ScheduledShow): string {
  return show.name ?? show.competitionId;
}

/** Is the VM streaming or recording (the show is live, whatever its schedule says)? */
function isLive(vm: VmRecord): boolean {
  const show = vm.agent?.show ?? null;
  return isOnAir(vm.status) || show?.obsIsStreaming === true || show?.obsIsRecording === true;
}

interface ShowState {
  show: ScheduledShow;
  readyBy: number;
  held: VmRecord | undefined;
  /** The earliest the schedule could ask for the show's VM (the longest lead before readyBy). */
  assignFrom: number;
  /** From when the show's VM is (or will be) held, for capacity. */
  occupyFrom: number;
  /** Until when it is held: endsAt, plus the auto-release grace when that is on. */
  occupyTo: number;
}

function vmInstanceType(vm: VmRecord, config: PoolConfig): string {
  return vm.agent?.instanceType ?? config.instanceType;
}

function vmRegion(vm: VmRecord, config: PoolConfig): string {
  return vm.region !== '' ? vm.region : config.awsRegion;
}

/**
 * Decides what the schedule needs now. Pure: the same input gives the same plan, and running
 * it again on the world its decisions produce asks for nothing new.
 *
 * - Assign: a show gets an assign request when its VM must be asked for now to be ready by
 *   startsAt - preWarmMinutes: a warm VM `warmAssignLeadMs` before, a cold VM its measured
 *   start lead before (the request cold-assigns it: the VM starts already held by the show),
 *   a new instance its launch lead before. Shows further away get nothing yet.
 * - Conflicts: scheduled shows are served first come (by readyBy); a show that finds every
 *   slot (min(maxConcurrent, VMs the pool can have)) held is named, days ahead.
 * - Release: after endsAt + autoReleaseAfterMinutes (0: never) the show's VM is released
 *   (stopped unless a show or the warm minimum needs it soon), unless it is streaming or
 *   recording: then it is kept and the show is reported running late.
 * - Warm minimum: minWarmVMs while a show is inside its pre-warm window, else
 *   minWarmVMsOffSchedule (minWarmVMs when unset).
 */
export function planSchedule(input: ScheduleInput): SchedulePlan {
  const { now, vms, config } = input;
  const tick = input.tickMs ?? DEFAULT_SCHEDULE_TICK_MS;
  const warmLead = input.warmAssignLeadMs ?? DEFAULT_WARM_ASSIGN_LEAD_MS;
  const horizon = input.conflictHorizonMs ?? DEFAULT_CONFLICT_HORIZON_MS;
  const preWarmMs = config.preWarmMinutes * MINUTE_MS;
  const releaseAfterMs = config.autoReleaseAfterMinutes * MINUTE_MS;
  const coldLead = input.bootLeadMs(config.awsRegion, config.instanceType, 'start');
  const launchLead = input.bootLeadMs(config.awsRegion, config.instanceType, 'launch');
  const leads = new Map<string, number>();
  const leadOf = (vm: VmRecord) => {
    let lead = leads.get(vm.vmId);
    if (lead === undefined) {
      lead = input.bootLeadMs(vmRegion(vm, config), vmInstanceType(vm, config), 'start');
      leads.set(vm.vmId, lead);
    }
    return lead;
  };

  const seen = new Set<string>();
  const states: ShowState[] = [];
  for (const show of input.shows) {
    if (show.endsAt <= show.startsAt || seen.has(show.competitionId)) continue;
    seen.add(show.competitionId);
    const readyBy = show.startsAt - preWarmMs;
    const held = vmHeldBy(vms, show.competitionId);
    // The earliest the schedule could ask for this show's VM; a VM held already counts from now.
    const earliest = readyBy - Math.max(coldLead, launchLead, warmLead) - tick;
    const occupyTo = show.endsAt + releaseAfterMs;
    states.push({
      show,
      readyBy,
      held,
      assignFrom: earliest,
      occupyFrom: held === undefined ? earliest : Math.min(now, earliest),
      occupyTo: held === undefined ? occupyTo : Math.max(occupyTo, now + tick),
    });
  }
  const byReadiness = (a: ShowState, b: ShowState) =>
    a.readyBy - b.readyBy ||
    a.show.startsAt - b.show.startsAt ||
    a.show.competitionId.localeCompare(b.show.competitionId);
  states.sort(byReadiness);

  const onSchedule = states.some((state) => now >= state.readyBy && now < state.show.startsAt);
  const warmMinimum = onSchedule ? config.minWarmVMs : offScheduleWarmMinimum(config);

  // --- Marks: what the schedule already did for each show's current start.
  const markOf = (show: ScheduledShow) =>
    show.mark !== null && show.mark.startsAt === show.startsAt ? show.mark : null;

  // --- Capacity and conflicts: first come (by when each show's VM is held), held VMs first.
  const launchable = missingLaunchSettings(config).length === 0;
  const servingVms = vms.filter(
    (vm) =>
      vm.status !== 'maintenance' &&
      vm.status !== 'terminating' &&
      !(vm.status === 'error' && vm.assignedTo === null),
  ).length;
  const launchRoom = launchable ? Math.max(0, config.maxTotalVMs - vms.length) : 0;
  const capacity = Math.min(config.maxConcurrent, servingVms + launchRoom);
  const relevant = states.filter(
    (state) =>
      state.held !== undefined ||
      (now < state.show.endsAt && state.occupyFrom < now + horizon && !isSettled(state)),
  );
  const conflicts: ScheduleConflict[] = [];
  const admitted = new Set<string>();
  {
    const order = [...relevant].sort((a, b) => a.occupyFrom - b.occupyFrom || byReadiness(a, b));
    const active: ShowState[] = [];
    for (const state of order) {
      for (let i = active.length - 1; i >= 0; i -= 1) {
        if ((active[i] as ShowState).occupyTo <= state.occupyFrom) active.splice(i, 1);
      }
      if (state.held !== undefined || active.length < capacity) {
        active.push(state);
        admitted.add(state.show.competitionId);
      } else {
        conflicts.push({
          competitionId: state.show.competitionId,
          name: showName(state.show),
          startsAt: state.show.startsAt,
          readyBy: state.readyBy,
          overlapping: active.map((other) => other.show.competitionId).sort(),
        });
      }
    }
  }

  /** True when the schedule has nothing more to do for the show's current start. */
  function isSettled(state: ShowState): boolean {
    const mark = markOf(state.show);
    if (mark === null) return false;
    if (mark.requestId === null) return true;
    const requestState = state.show.markRequestState;
    if (requestState === 'succeeded') return true;
    return requestState === 'failed' && mark.attempt >= MAX_SCHEDULE_ATTEMPTS;
  }

  // --- Supply: which VM each admitted show without one will get, in order of readiness.
  const free = (vm: VmRecord) => vm.assignedTo === null;
  const warm = vms
    .filter((vm) => free(vm) && (isWarm(vm.status) || vm.status === 'starting'))
    .sort(
      (a, b) => Number(isWarm(b.status)) - Number(isWarm(a.status)) || a.vmId.localeCompare(b.vmId),
    );
  const cold = vms
    .filter((vm) => free(vm) && isCold(vm.status))
    .sort(
      (a, b) =>
        leadOf(a) - leadOf(b) ||
        (b.lastStoppedAt ?? 0) - (a.lastStoppedAt ?? 0) ||
        a.vmId.localeCompare(b.vmId),
    );
  let launches = launchRoom;
  let heldNow = heldAssignments(vms);

  const assign: ScheduleAssign[] = [];
  const marks: ScheduleMarkWrite[] = [];
  const waiting: ScheduleWaiting[] = [];
  const upcoming: UpcomingAssign[] = [];
  const reserved: string[] = [];

  for (const state of states) {
    const { show } = state;
    if (now >= show.endsAt) continue;
    const mark = markOf(show);
    if (
      state.held === undefined &&
      mark !== null &&
      mark.requestId !== null &&
      show.markRequestState === 'failed' &&
      mark.attempt >= MAX_SCHEDULE_ATTEMPTS
    ) {
      if (now >= state.readyBy - tick) {
        waiting.push({
          competitionId: show.competitionId,
          code: 'GAVE_UP',
          reason: `the schedule's ${mark.attempt} assign requests failed; assign by hand`,
        });
      }
      continue;
    }
    if (!admitted.has(show.competitionId)) continue;
    if (state.held !== undefined) {
      // Held (by hand, or by the schedule's own request): remember it once the schedule's
      // assign could have fallen due, so that a later release is not undone.
      if (mark === null && now >= state.assignFrom) {
        marks.push({
          competitionId: show.competitionId,
          mark: { startsAt: show.startsAt, requestId: null, attempt: 0, at: now },
        });
      }
      continue;
    }
    let attempt = 1;
    if (mark !== null) {
      if (mark.requestId === null) continue;
      const requestState = show.markRequestState;
      if (requestState === 'succeeded') continue;
      if (requestState !== 'failed') continue; // in flight
      if (now < mark.at + tick) continue;
      attempt = mark.attempt + 1;
    }

    // The VM this show will get. A warm VM is taken only once the show is near (its cold
    // alternative would be due): until then it stays free, and idle auto-stop may stop it.
    const warmVm = warm[0];
    const coldVm = cold[0];
    const fallbackDue =
      coldVm !== undefined
        ? state.readyBy - leadOf(coldVm)
        : launches > 0
          ? state.readyBy - launchLead
          : warmVm !== undefined
            ? state.readyBy - leadOf(warmVm)
            : null;
    if (fallbackDue === null) {
      if (now >= state.readyBy - tick) {
        waiting.push({
          competitionId: show.competitionId,
          code: 'NO_VM_AVAILABLE',
          reason:
            'no free VM, and no launch is possible (pool at maxTotalVMs or launch settings incomplete)',
        });
      }
      continue;
    }
    const near = now >= fallbackDue - tick;
    let via: ScheduleVia;
    let vm: VmRecord | null;
    let dueAt: number;
    if (warmVm !== undefined && (near || coldVm === undefined)) {
      warm.shift();
      via = 'warm';
      vm = warmVm;
      dueAt = state.readyBy - warmLead;
      if (near) reserved.push(warmVm.vmId);
    } else if (coldVm !== undefined) {
      cold.shift();
      via = 'cold';
      vm = coldVm;
      dueAt = fallbackDue;
    } else {
      launches -= 1;
      via = 'launch';
      vm = null;
      dueAt = fallbackDue;
    }
    const giveBack = () => {
      if (via === 'warm' && vm !== null) warm.unshift(vm);
      else if (via === 'cold' && vm !== null) cold.unshift(vm);
      else launches += 1;
    };

    if (now < dueAt - tick) {
      upcoming.push({
        competitionId: show.competitionId,
        via,
        vmId: vm?.vmId ?? null,
        dueAt,
        readyBy: state.readyBy,
      });
      continue;
    }
    if (vm !== null && vm.status === 'starting') {
      // A free VM already on its way up: assign it as soon as it is ready (it is the fastest).
      waiting.push({
        competitionId: show.competitionId,
        code: 'STARTING',
        reason: `${vm.vmId} is starting and will be assigned when ready`,
      });
      continue;
    }
    if (heldNow >= config.maxConcurrent) {
      waiting.push({
        competitionId: show.competitionId,
        code: 'CAPACITY_LIMIT',
        reason: `${heldNow} of ${config.maxConcurrent} concurrent assignments are held (maxConcurrent)`,
      });
      giveBack();
      continue;
    }
    heldNow += 1;
    const requestId = scheduleRequestId('assign', show.competitionId, show.startsAt, attempt);
    assign.push({
      competitionId: show.competitionId,
      requestId,
      attempt,
      via,
      vmId: vm?.vmId ?? null,
      dueAt,
      readyBy: state.readyBy,
      reason: `${showName(show)} starts ${describeTime(show.startsAt)}; ready by ${describeTime(state.readyBy)} (${
        via === 'warm'
          ? `warm ${vm?.vmId}`
          : via === 'cold'
            ? `cold start of ${vm?.vmId}`
            : 'new VM'
      })`,
    });
    marks.push({
      competitionId: show.competitionId,
      mark: { startsAt: show.startsAt, requestId, attempt, at: now },
    });
  }

  // --- Auto-release after endsAt + autoReleaseAfterMinutes, unless the show is still live.
  const release: ScheduleRelease[] = [];
  const runningLate: ShowRunningLate[] = [];
  const nextNeed = upcoming
    .filter((entry) => entry.via !== 'warm')
    .reduce((soonest, entry) => Math.min(soonest, entry.dueAt), Number.POSITIVE_INFINITY);
  let freeWarm = vms.filter((vm) => free(vm) && isWarm(vm.status)).length - reserved.length;
  if (releaseAfterMs > 0) {
    for (const state of states) {
      const vm = state.held;
      if (vm === undefined) continue;
      if (
        now < state.show.endsAt + releaseAfterMs &&
        !endedEarly(vm, state.show, now, releaseAfterMs)
      ) {
        continue;
      }
      if (isReleasing(vm.status) || !holdsAssignment(vm)) continue;
      if (isLive(vm)) {
        runningLate.push({
          competitionId: state.show.competitionId,
          vmId: vm.vmId,
          endsAt: state.show.endsAt,
        });
        continue;
      }
      // Keep it running when a show would otherwise cold-start a VM before this one could be
      // stopped and started again, or when the warm minimum wants it.
      const neededSoon = nextNeed <= now + leadOf(vm) + 2 * tick || freeWarm < warmMinimum;
      if (neededSoon) freeWarm += 1;
      release.push({
        competitionId: state.show.competitionId,
        vmId: vm.vmId,
        requestId: scheduleRequestId('release', state.show.competitionId, state.show.endsAt),
        stopVM: !neededSoon,
        reason: `${showName(state.show)} was scheduled to end ${describeTime(state.show.endsAt)}; auto-release after ${config.autoReleaseAfterMinutes} min`,
      });
    }
  }

  const alerts: AlertDraft[] = [
    ...conflicts.map((conflict) => conflictAlert(conflict, capacity, now)),
    ...runningLate.map((late) => runningLateAlert(late, states, now)),
  ];

  return {
    now,
    onSchedule,
    warmMinimum,
    assign,
    release,
    marks,
    conflicts,
    waiting,
    runningLate,
    upcoming,
    reservedVmIds: [...new Set(reserved)].sort(),
    alerts,
  };
}

/**
 * The show went off air (its VM left in_use for assigned after the assignment and after the
 * start) in the last EARLY_END_WINDOW_MS of its schedule, and has stayed off air for the
 * auto-release grace: it is over, before its scheduled end.
 */
function endedEarly(vm: VmRecord, show: ScheduledShow, now: number, graceMs: number): boolean {
  if (vm.status !== 'assigned' || isLive(vm)) return false;
  const offAirSince = vm.statusChangedAt;
  const wentOffAir =
    vm.assignedAt !== null && offAirSince > vm.assignedAt && offAirSince > show.startsAt;
  return (
    wentOffAir && offAirSince >= show.endsAt - EARLY_END_WINDOW_MS && now >= offAirSince + graceMs
  );
}

function conflictAlert(conflict: ScheduleConflict, capacity: number, now: number): AlertDraft {
  const sourceId = scheduleAlertSourceIds.conflict(conflict.competitionId);
  return {
    scope: POOL_ALERT_SCOPE,
    sourceId,
    level: 'warning',
    category: 'vm',
    title: `No VM for ${conflict.name}`,
    message: `${conflict.name} (starts ${describeTime(conflict.startsAt)}) will not get a VM: the pool serves ${capacity} show${
      capacity === 1 ? '' : 's'
    } at once and ${conflict.overlapping.join(', ')} hold${conflict.overlapping.length === 1 ? 's' : ''} them then. Raise maxTotalVMs or maxConcurrent, or move a show.`,
    timestamp: now,
    createdAt: now,
    competitionId: conflict.competitionId,
    autoResolve: true,
  };
}

function runningLateAlert(
  late: ShowRunningLate,
  states: readonly ShowState[],
  now: number,
): AlertDraft {
  const sourceId = scheduleAlertSourceIds.runningLate(late.competitionId);
  const show = states.find((state) => state.show.competitionId === late.competitionId)?.show;
  const name = show === undefined ? late.competitionId : showName(show);
  return {
    scope: late.competitionId,
    sourceId,
    level: 'info',
    category: 'vm',
    title: `${name} is running late`,
    message: `${name} was scheduled to end ${describeTime(late.endsAt)}; ${late.vmId} is still streaming or recording, so it is kept until the show stops.`,
    timestamp: now,
    createdAt: now,
    vmId: late.vmId,
    competitionId: late.competitionId,
    autoResolve: true,
  };
}

/**
 * The schedule's alerts against the unresolved ones: create those whose condition holds and
 * that are not open yet, resolve open schedule alerts (conflict, running late) whose condition
 * is gone. Other alerts are left alone.
 */
export function scheduleAlertChanges(
  plan: Pick<SchedulePlan, 'alerts'>,
  activeAlerts: readonly ScopedAlert[],
): AlertChanges {
  const open = activeAlerts.filter((alert) => !alert.resolved);
  const openSources = new Set(open.map((alert) => alert.sourceId));
  const holding = new Set(plan.alerts.map((draft) => draft.sourceId));
  const create = plan.alerts.filter((draft) => !openSources.has(draft.sourceId));
  const resolve: AlertResolution[] = open
    .filter(
      (alert) =>
        SCHEDULE_SOURCE_PATTERN.test(alert.sourceId) &&
        alert.autoResolve &&
        !holding.has(alert.sourceId),
    )
    .map((alert) => ({ scope: alert.scope, alertId: alert.id, sourceId: alert.sourceId }));
  return { create, resolve };
}

/** What a scheduled show is projected to cost. */
export interface ShowCostProjection {
  competitionId: string;
  /** VM hours the schedule will hold: the cold start lead, the pre-warm window, the show and the auto-release grace. */
  hours: number;
  instanceType: string;
  /** null when the instance type has no price. */
  usd: number | null;
}

/**
 * The projected cost of shows that have not ended: a VM from its cold start (lead before
 * startsAt - preWarmMinutes) to endsAt plus the auto-release grace, at the price of the
 * pool's instance type. An upper figure: producers who release at the end pay less.
 */
export function projectScheduleCost(input: {
  now: number;
  shows: readonly Pick<ScheduledShow, 'competitionId' | 'startsAt' | 'endsAt'>[];
  config: PoolConfig;
  bootLeadMs: BootLeadLookup;
}): ShowCostProjection[] {
  const { config } = input;
  const lead = input.bootLeadMs(config.awsRegion, config.instanceType, 'start');
  const price = hourlyPriceFor(config.instanceType, config);
  return input.shows
    .filter((show) => show.endsAt > show.startsAt && show.endsAt > input.now)
    .map((show) => {
      const from = show.startsAt - config.preWarmMinutes * MINUTE_MS - lead;
      const to = show.endsAt + config.autoReleaseAfterMinutes * MINUTE_MS;
      const hours = (to - Math.max(from, input.now)) / HOUR_MS;
      return {
        competitionId: show.competitionId,
        hours,
        instanceType: config.instanceType,
        usd: price === null ? null : Math.round(hours * price * 1e6) / 1e6,
      };
    });
}
