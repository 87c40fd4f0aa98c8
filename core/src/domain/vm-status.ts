import type { Ec2State, VmErrorCause, VmRecord, VmStatus } from '../contract/vm-record';
import { recoveryAfterStatusChange } from './recovery';

/** Every reason a VM's status may change; each edge of VM_TRANSITIONS names one. */
export const VM_EVENTS = [
  'start_requested',
  'cold_assign',
  'ec2_running',
  'agent_ready',
  'agent_ready_assigned',
  'assign',
  'show_live',
  'show_ended',
  'release',
  'release_done',
  'release_stop',
  'stop_requested',
  'ec2_stopped',
  'fail',
  'recover',
  'recover_assigned',
  'maintenance_on',
  'maintenance_off',
  'maintenance_off_stopped',
  'terminate_requested',
  'deadline_passed',
  'reboot_requested',
] as const;
export type VmEvent = (typeof VM_EVENTS)[number];

/**
 * Each event as a verb phrase for messages: "cannot {phrase} a VM that is in use",
 * "cannot {phrase}: still assigned to meet-1".
 */
export const VM_EVENT_PHRASES: Readonly<Record<VmEvent, string>> = Object.freeze({
  start_requested: 'start',
  cold_assign: 'start for a competition',
  ec2_running: 'take in as started by EC2',
  agent_ready: 'mark ready',
  agent_ready_assigned: 'mark ready for its competition',
  assign: 'assign',
  show_live: 'put on air',
  show_ended: 'take off air',
  release: 'release',
  release_done: 'return to the pool',
  release_stop: 'stop after its release',
  stop_requested: 'stop',
  ec2_stopped: 'take in as stopped by EC2',
  fail: 'fail',
  recover: 'recover',
  recover_assigned: 'recover for its competition',
  maintenance_on: 'put into maintenance',
  maintenance_off: 'take out of maintenance',
  maintenance_off_stopped: 'take out of maintenance (stopped)',
  terminate_requested: 'terminate',
  deadline_passed: 'time out',
  reboot_requested: 'reboot',
});

/** The events that lead into `error`; each needs a `VmErrorCause`. */
export const FAILURE_EVENTS = ['fail', 'deadline_passed'] as const satisfies VmEvent[];
export type FailureEvent = (typeof FAILURE_EVENTS)[number];

export function isFailureEvent(event: VmEvent): event is FailureEvent {
  return (FAILURE_EVENTS as readonly VmEvent[]).includes(event);
}

export interface VmTransition {
  from: VmStatus;
  event: VmEvent;
  to: VmStatus;
  /** Why the edge exists, for readers of the table and the admin UI. */
  note: string;
}

/**
 * The only legal status changes. A VM is created by a launch in `starting`; a `terminating`
 * VM's record is deleted once EC2 reports it terminated (that is not a status change).
 */
export const VM_TRANSITIONS: readonly VmTransition[] = Object.freeze([
  { from: 'stopped', event: 'start_requested', to: 'starting', note: 'warm-up or admin start' },
  {
    from: 'stopped',
    event: 'cold_assign',
    to: 'starting',
    note: 'assign to a stopped VM; assignedTo is kept while it starts',
  },
  {
    from: 'stopped',
    event: 'ec2_running',
    to: 'starting',
    note: 'started outside vmpool; wait for its agent',
  },
  {
    from: 'starting',
    event: 'agent_ready',
    to: 'available',
    note: 'agent reported healthy, no assignee',
  },
  {
    from: 'starting',
    event: 'agent_ready_assigned',
    to: 'assigned',
    note: 'agent reported healthy after a cold assign or reboot of an assigned VM',
  },
  { from: 'available', event: 'assign', to: 'assigned', note: 'warm assign' },
  { from: 'assigned', event: 'show_live', to: 'in_use', note: 'OBS is streaming' },
  { from: 'in_use', event: 'show_ended', to: 'assigned', note: 'OBS stopped streaming' },
  { from: 'assigned', event: 'release', to: 'releasing', note: 'release requested' },
  { from: 'in_use', event: 'release', to: 'releasing', note: 'release requested while live' },
  {
    from: 'error',
    event: 'release',
    to: 'releasing',
    note: 'release a failed VM so the competition is free',
  },
  {
    from: 'releasing',
    event: 'release_done',
    to: 'available',
    note: 'cleanup finished, back to the warm pool',
  },
  {
    from: 'releasing',
    event: 'release_stop',
    to: 'stopping',
    note: 'cleanup finished, release asked to stop the VM',
  },
  {
    from: 'available',
    event: 'stop_requested',
    to: 'stopping',
    note: 'admin stop or idle auto-stop',
  },
  { from: 'starting', event: 'stop_requested', to: 'stopping', note: 'start cancelled' },
  { from: 'error', event: 'stop_requested', to: 'stopping', note: 'stop a failed VM' },
  {
    from: 'maintenance',
    event: 'stop_requested',
    to: 'stopping',
    note: 'admin stop during maintenance',
  },
  { from: 'stopping', event: 'ec2_stopped', to: 'stopped', note: 'EC2 reports stopped' },
  { from: 'available', event: 'ec2_stopped', to: 'stopped', note: 'stopped outside vmpool' },
  {
    from: 'error',
    event: 'ec2_stopped',
    to: 'stopped',
    note: 'a failed VM that EC2 reports stopped',
  },
  { from: 'available', event: 'fail', to: 'error', note: 'health check failed' },
  { from: 'assigned', event: 'fail', to: 'error', note: 'health check failed; assignedTo is kept' },
  { from: 'in_use', event: 'fail', to: 'error', note: 'failed mid-show; assignedTo is kept' },
  { from: 'releasing', event: 'fail', to: 'error', note: 'cleanup failed' },
  { from: 'starting', event: 'fail', to: 'error', note: 'start failed' },
  { from: 'stopping', event: 'fail', to: 'error', note: 'stop failed' },
  { from: 'stopped', event: 'fail', to: 'error', note: 'instance missing or unusable' },
  { from: 'terminating', event: 'fail', to: 'error', note: 'terminate failed' },
  { from: 'starting', event: 'deadline_passed', to: 'error', note: 'agent never became ready' },
  { from: 'releasing', event: 'deadline_passed', to: 'error', note: 'cleanup took too long' },
  { from: 'stopping', event: 'deadline_passed', to: 'error', note: 'EC2 never reported stopped' },
  {
    from: 'terminating',
    event: 'deadline_passed',
    to: 'error',
    note: 'EC2 never reported terminated',
  },
  { from: 'error', event: 'recover', to: 'available', note: 'healthy again, no assignee' },
  {
    from: 'error',
    event: 'recover_assigned',
    to: 'assigned',
    note: 'healthy again, still assigned',
  },
  { from: 'available', event: 'maintenance_on', to: 'maintenance', note: 'admin maintenance' },
  { from: 'stopped', event: 'maintenance_on', to: 'maintenance', note: 'admin maintenance' },
  {
    from: 'error',
    event: 'maintenance_on',
    to: 'maintenance',
    note: 'admin takes a failed VM aside',
  },
  {
    from: 'maintenance',
    event: 'maintenance_off',
    to: 'available',
    note: 'maintenance over, VM running',
  },
  {
    from: 'maintenance',
    event: 'maintenance_off_stopped',
    to: 'stopped',
    note: 'maintenance over, VM stopped',
  },
  { from: 'available', event: 'terminate_requested', to: 'terminating', note: 'admin terminate' },
  { from: 'stopped', event: 'terminate_requested', to: 'terminating', note: 'admin terminate' },
  { from: 'error', event: 'terminate_requested', to: 'terminating', note: 'admin terminate' },
  { from: 'maintenance', event: 'terminate_requested', to: 'terminating', note: 'admin terminate' },
  {
    from: 'available',
    event: 'reboot_requested',
    to: 'starting',
    note: 'admin reboot; wait for the agent again',
  },
  {
    from: 'assigned',
    event: 'reboot_requested',
    to: 'starting',
    note: 'admin reboot; assignedTo is kept',
  },
  { from: 'error', event: 'reboot_requested', to: 'starting', note: 'admin reboot to recover' },
] satisfies VmTransition[]);

export type Billable = 'yes' | 'no' | 'depends';

export interface StatusInfo {
  /** EC2 bills running (and pending) instances; `depends` follows the EC2 state. */
  billable: Billable;
  /** May be picked for an assignment: warm (available) or cold (stopped). */
  assignable: boolean;
  /** Times out through `deadline_passed`. */
  transitional: boolean;
  label: string;
  colour: string;
}

export const STATUS_INFO: Readonly<Record<VmStatus, StatusInfo>> = Object.freeze({
  available: {
    billable: 'yes',
    assignable: true,
    transitional: false,
    label: 'Available',
    colour: 'green',
  },
  assigned: {
    billable: 'yes',
    assignable: false,
    transitional: false,
    label: 'Assigned',
    colour: 'blue',
  },
  in_use: {
    billable: 'yes',
    assignable: false,
    transitional: false,
    label: 'In use',
    colour: 'purple',
  },
  releasing: {
    billable: 'yes',
    assignable: false,
    transitional: true,
    label: 'Releasing',
    colour: 'cyan',
  },
  stopped: {
    billable: 'no',
    assignable: true,
    transitional: false,
    label: 'Stopped',
    colour: 'gray',
  },
  starting: {
    billable: 'yes',
    assignable: false,
    transitional: true,
    label: 'Starting',
    colour: 'yellow',
  },
  // AWS does not bill an instance that is stopping (without hibernation) or shutting down.
  stopping: {
    billable: 'no',
    assignable: false,
    transitional: true,
    label: 'Stopping',
    colour: 'orange',
  },
  error: {
    billable: 'depends',
    assignable: false,
    transitional: false,
    label: 'Error',
    colour: 'red',
  },
  maintenance: {
    billable: 'depends',
    assignable: false,
    transitional: false,
    label: 'Maintenance',
    colour: 'brown',
  },
  terminating: {
    billable: 'no',
    assignable: false,
    transitional: true,
    label: 'Terminating',
    colour: 'black',
  },
});

const transitionIndex = new Map<string, VmStatus>(
  VM_TRANSITIONS.map((edge) => [`${edge.from}|${edge.event}`, edge.to]),
);

export type TransitionResult = { ok: true; to: VmStatus } | { ok: false; error: string };

/** Validates one status change against the table. */
export function transition(from: VmStatus, event: VmEvent): TransitionResult {
  const to = transitionIndex.get(`${from}|${event}`);
  if (to !== undefined) return { ok: true, to };
  const label = STATUS_INFO[from].label.toLowerCase();
  const allowed = eventsFrom(from).map((allowedEvent) => VM_EVENT_PHRASES[allowedEvent]);
  return {
    ok: false,
    error: `cannot ${VM_EVENT_PHRASES[event]} a VM that is ${label} (possible while ${label}: ${allowed.join(', ')})`,
  };
}

/** The events that have an edge out of `from`. */
export function eventsFrom(from: VmStatus): VmEvent[] {
  return VM_TRANSITIONS.filter((edge) => edge.from === from).map((edge) => edge.event);
}

export function canTransition(from: VmStatus, event: VmEvent): boolean {
  return transitionIndex.has(`${from}|${event}`);
}

export function isAssignable(status: VmStatus): boolean {
  return STATUS_INFO[status].assignable;
}

/** Warm: running and free. */
export function isWarm(status: VmStatus): boolean {
  return status === 'available';
}

/** Cold: stopped and free; assigning it starts it. */
export function isCold(status: VmStatus): boolean {
  return status === 'stopped';
}

export function isTransitional(status: VmStatus): boolean {
  return STATUS_INFO[status].transitional;
}

/**
 * Whether time in this status costs instance hours. For `depends` statuses pass the EC2 state:
 * pending and running are billed.
 */
export function isBillable(status: VmStatus, ec2State?: Ec2State): boolean {
  const billable = STATUS_INFO[status].billable;
  if (billable !== 'depends') return billable === 'yes';
  return ec2State === 'running' || ec2State === 'pending';
}

const RUNNING_STATUSES: readonly VmStatus[] = ['available', 'assigned', 'in_use', 'releasing'];

/** Statuses in which the VM is up and serving (EC2 running, agent expected). */
export function isRunningStatus(status: VmStatus): boolean {
  return RUNNING_STATUSES.includes(status);
}

/** The live-show statuses, in which nothing may disturb the VM. */
export function isOnAir(status: VmStatus): boolean {
  return status === 'in_use';
}

/**
 * Whether the VM counts as held by a competition: assigned, in use, releasing, or any other
 * status while `assignedTo` is set (a cold assign that is starting, a failed assigned VM).
 */
export function holdsAssignment(vm: Pick<VmRecord, 'status' | 'assignedTo'>): boolean {
  if (vm.status === 'assigned' || vm.status === 'in_use' || vm.status === 'releasing') return true;
  return vm.assignedTo !== null && vm.status !== 'stopped' && vm.status !== 'available';
}

/** `starting`: EC2 is bringing the VM up and its agent's ready report ends the status. */
export function isAwaitingAgent(status: VmStatus): boolean {
  return status === 'starting';
}

/** `releasing`: the cleanup after a release is running (the release keeps its own deadline). */
export function isReleasing(status: VmStatus): boolean {
  return status === 'releasing';
}

/** `stopping`: the VM is on its way to stopped; EC2 has been (or is about to be) asked. */
export function isStopping(status: VmStatus): boolean {
  return status === 'stopping';
}

/** `terminating`: the instance is going away; its record goes when EC2 reports it gone. */
export function isTerminating(status: VmStatus): boolean {
  return status === 'terminating';
}

/** `error`: something failed; the VM waits for recovery, a reboot, a stop or an admin. */
export function isFailed(status: VmStatus): boolean {
  return status === 'error';
}

/** `assigned`: a competition holds the running VM and no show is live on it. */
export function isAssignedOffAir(status: VmStatus): boolean {
  return status === 'assigned';
}

/** Handed to its competition (assigned or on air): the competition's config points at it. */
export function isHandedOver(status: VmStatus): boolean {
  return isAssignedOffAir(status) || isOnAir(status);
}

/**
 * Running statuses in which an agent that stopped reporting fails the VM. A release is left
 * alone: it has its own deadline and may run its cleanup through SSM.
 */
export function failsOnStaleAgent(status: VmStatus): boolean {
  return isRunningStatus(status) && !isReleasing(status);
}

/** Still starting for this competition (a cold assign or a launch for it). */
export function isStartingForCompetition(
  vm: Pick<VmRecord, 'status' | 'assignedTo'>,
  competitionId: string,
): boolean {
  return isAwaitingAgent(vm.status) && vm.assignedTo === competitionId;
}

/** Still starting under this request: nothing has taken the VM over since it claimed it. */
export function isStartingForRequest(
  vm: Pick<VmRecord, 'status' | 'requestId'>,
  requestId: string | null,
): boolean {
  return isAwaitingAgent(vm.status) && vm.requestId === requestId;
}

/** Releasing under this release request. */
export function isReleasingForRequest(
  vm: Pick<VmRecord, 'status' | 'requestId'>,
  requestId: string,
): boolean {
  return isReleasing(vm.status) && vm.requestId === requestId;
}

/** Held by the competition and not yet marked releasing: its release still has to mark it. */
export function awaitsReleaseMark(
  vm: Pick<VmRecord, 'status' | 'assignedTo'>,
  competitionId: string,
): boolean {
  return vm.assignedTo === competitionId && !isReleasing(vm.status);
}

/** The competition whose release is cleaning this VM up, or null when none is. */
export function releasingCompetition(vm: Pick<VmRecord, 'status' | 'assignedTo'>): string | null {
  return isReleasing(vm.status) ? vm.assignedTo : null;
}

/** The show event the agent's streaming flag implies: live while assigned, ended while on air. */
export function showEvent(status: VmStatus, streaming: boolean): 'show_live' | 'show_ended' | null {
  if (streaming && isAssignedOffAir(status)) return 'show_live';
  if (!streaming && isOnAir(status)) return 'show_ended';
  return null;
}

/** The status a pool-tagged instance unknown to RTDB is adopted in; null: not adopted. */
export function adoptedStatus(ec2State: Ec2State): VmStatus | null {
  switch (ec2State) {
    case 'pending':
    case 'running':
      return 'starting';
    case 'stopped':
      return 'stopped';
    case 'stopping':
      return 'stopping';
    default:
      return null;
  }
}

/** The event that ends `starting`: to `assigned` when a competition holds the VM. */
export function readyEvent(
  vm: Pick<VmRecord, 'assignedTo'>,
): 'agent_ready' | 'agent_ready_assigned' {
  return vm.assignedTo !== null ? 'agent_ready_assigned' : 'agent_ready';
}

/** The event that clears `error`: back to `assigned` when a competition holds the VM. */
export function recoverEvent(vm: Pick<VmRecord, 'assignedTo'>): 'recover' | 'recover_assigned' {
  return vm.assignedTo !== null ? 'recover_assigned' : 'recover';
}

/** The event that ends maintenance, following the EC2 state. */
export function maintenanceOffEvent(
  ec2State: Ec2State,
): 'maintenance_off' | 'maintenance_off_stopped' {
  return ec2State === 'stopped' || ec2State === 'stopping'
    ? 'maintenance_off_stopped'
    : 'maintenance_off';
}

/** Events that only make sense while a competition holds the VM, and those that need it free. */
const NEEDS_ASSIGNEE: ReadonlySet<VmEvent> = new Set<VmEvent>([
  'agent_ready_assigned',
  'recover_assigned',
  'release',
  'show_live',
  'show_ended',
]);
const NEEDS_NO_ASSIGNEE: ReadonlySet<VmEvent> = new Set<VmEvent>([
  'assign',
  'cold_assign',
  'agent_ready',
  'recover',
  'maintenance_on',
  'maintenance_off',
  'maintenance_off_stopped',
  'terminate_requested',
  'stop_requested',
  'start_requested',
]);

/**
 * Validates a status change of a whole record: the edge must be in the table, and the
 * assignment must fit the event (e.g. no assign of a VM that already has an assignee, no
 * stop of a VM a competition still holds). Pass the record as it is before the change.
 */
export function transitionVm(
  vm: Pick<VmRecord, 'vmId' | 'status' | 'assignedTo'>,
  event: VmEvent,
): TransitionResult {
  const result = transition(vm.status, event);
  if (!result.ok) return { ok: false, error: `${vm.vmId}: ${result.error}` };
  if (NEEDS_ASSIGNEE.has(event) && vm.assignedTo === null) {
    return {
      ok: false,
      error: `${vm.vmId}: cannot ${VM_EVENT_PHRASES[event]}: not assigned to a competition`,
    };
  }
  if (NEEDS_NO_ASSIGNEE.has(event) && vm.assignedTo !== null) {
    return {
      ok: false,
      error: `${vm.vmId}: cannot ${VM_EVENT_PHRASES[event]}: still assigned to ${vm.assignedTo}`,
    };
  }
  return result;
}

/** A status change as the control plane asks for it: why, and for a failure its cause. */
export type VmStatusChange =
  | { event: Exclude<VmEvent, FailureEvent>; reason: string }
  | { event: FailureEvent; reason: string; cause: VmErrorCause };

/** The fields a status change owns; a patch passed with the change may not set them. */
export type StatusOwnedField =
  'status' | 'statusChangedAt' | 'statusReason' | 'errorCause' | 'deadlineRetries';

export type ChangeResult<T> = { ok: true; vm: T } | { ok: false; error: string };

/**
 * Applies a status change to a whole record, checked by `transitionVm`: the new status, when
 * and why, `errorCause` set on the way into `error` and cleared on every other change, and the
 * deadline retries of the old status forgotten. Pass the record as it is before the change.
 */
export function applyStatusChange<T extends VmRecord>(
  vm: T,
  change: VmStatusChange,
  now: number,
): ChangeResult<T> {
  const checked = transitionVm(vm, change.event);
  if (!checked.ok) return checked;
  return {
    ok: true,
    vm: {
      ...vm,
      status: checked.to,
      statusChangedAt: now,
      statusReason: change.reason,
      errorCause: 'cause' in change ? change.cause : null,
      deadlineRetries: 0,
      recovery: recoveryAfterStatusChange(vm.recovery, {
        fromError: vm.status === 'error',
        toError: checked.to === 'error',
        agentLastSeen: vm.agent?.lastSeen ?? null,
      }),
    },
  };
}
