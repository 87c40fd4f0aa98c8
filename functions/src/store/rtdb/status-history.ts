import {
  DEADLINE_RULES,
  INSTANCE_TYPE_PATTERN,
  statusHistoryEntryOf,
  VM_TRANSITIONS,
  type StatusHistoryEntry,
  type VmRecord,
} from '@vmpool/core';

const TIMEOUT_CAUSES = new Set<string>(
  Object.values(DEADLINE_RULES).map((rule) => rule.timeoutCause),
);

/** What bills while the status follows EC2 (core's `depends`): a change of EC2 state counts. */
const EC2_BILLED_STATUSES = new Set<string>(['error', 'maintenance']);

/**
 * The state-machine event that took `before` to `after` (the table edge between their
 * statuses; where several edges join them, the one the record's fields show).
 */
export function statusEventBetween(before: VmRecord, after: VmRecord): string {
  const edges = VM_TRANSITIONS.filter(
    (edge) => edge.from === before.status && edge.to === after.status,
  );
  if (edges.length === 1) return (edges[0] as (typeof edges)[number]).event;
  if (after.status === 'error') {
    return after.errorCause !== null && TIMEOUT_CAUSES.has(after.errorCause)
      ? 'deadline_passed'
      : 'fail';
  }
  const assigned = after.assignedTo !== null && before.assignedTo === null;
  const pick = edges.find((edge) => edge.event.includes('assign') === assigned) ?? edges[0];
  return pick?.event ?? 'ec2_state';
}

/**
 * The history entry a committed change of `before` into `after` calls for: the VM entered a
 * status (a new statusChangedAt), or EC2's state changed while the status bills by it.
 * null when neither.
 */
export function historyEntryForChange(
  before: VmRecord | null,
  after: VmRecord,
  instanceType: string,
  now: number,
): StatusHistoryEntry | null {
  if (before === null) return statusHistoryEntryOf(after, 'created', instanceType);
  if (before.status !== after.status || before.statusChangedAt !== after.statusChangedAt) {
    return statusHistoryEntryOf(after, statusEventBetween(before, after), instanceType);
  }
  if (EC2_BILLED_STATUSES.has(after.status) && before.ec2State !== after.ec2State) {
    return { ...statusHistoryEntryOf(after, 'ec2_state', instanceType), at: now };
  }
  return null;
}

/** What a VM bills as: its record's type, else what its agent reports, else `fallback`. */
export function billedInstanceType(vm: VmRecord, fallback: string): string {
  const reported = vm.agent?.instanceType ?? '';
  return vm.instanceType ?? (INSTANCE_TYPE_PATTERN.test(reported) ? reported : fallback);
}
