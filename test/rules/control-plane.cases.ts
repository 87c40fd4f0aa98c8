// The control plane's own bookkeeping: no client role may read or write it, not even an admin
// (the functions use the admin SDK, which bypasses the rules).
import { NOW, UID } from './fixture';
import { forRoles, type Role, type RuleCase } from './matrix';

const EVERY_CLIENT: readonly Role[] = [
  'anonymous',
  'anonymousSignIn',
  'noClaim',
  'producer',
  'admin',
  'agent',
  'strayAgent',
];

interface ControlPlanePath {
  label: string;
  /** The parent a client would list. */
  listing: string;
  /** An entry that exists in the fixture. */
  entry: string;
  /** A plausible replacement value for the entry. */
  data: unknown;
  /** A multi-path patch, relative to `listing`. */
  patch: Record<string, unknown>;
}

function controlPlaneOnly({ label, listing, entry, data, patch }: ControlPlanePath): RuleCase[] {
  return [
    ...forRoles(EVERY_CLIENT, {
      op: 'read',
      path: entry,
      expect: 'deny',
      why: `${label} entries are for the control plane only`,
    }),
    ...forRoles(EVERY_CLIENT, {
      op: 'read',
      path: listing,
      expect: 'deny',
      why: `${label} cannot be listed by clients`,
    }),
    ...forRoles(EVERY_CLIENT, {
      op: 'write',
      path: entry,
      data,
      expect: 'deny',
      deniedBy: 'permission',
      why: `nobody but the control plane writes ${label}`,
    }),
    ...forRoles(EVERY_CLIENT, {
      op: 'write',
      path: entry,
      data: null,
      expect: 'deny',
      deniedBy: 'permission',
      why: `nobody but the control plane deletes ${label}`,
    }),
    ...forRoles(EVERY_CLIENT, {
      op: 'update',
      path: listing,
      data: patch,
      expect: 'deny',
      deniedBy: 'permission',
      why: `nobody but the control plane patches ${label}`,
    }),
  ];
}

/** `vmPool/assignments/{compId}`: one assignment slot per competition. */
export const assignmentSlotCases: RuleCase[] = controlPlaneOnly({
  label: 'assignment slots',
  listing: 'vmPool/assignments',
  entry: 'vmPool/assignments/comp-a',
  data: { requestId: 'req-a-assign', vmId: 'vm-002', at: NOW },
  patch: { 'comp-b/requestId': 'req-b-assign', 'comp-b/at': NOW },
});

/** `vmPool/openRequests/{requestId}`: the run lease of a request being worked on. */
export const openRequestCases: RuleCase[] = controlPlaneOnly({
  label: 'request run leases',
  listing: 'vmPool/openRequests',
  entry: 'vmPool/openRequests/req-a-assign',
  data: { updatedAt: NOW, leaseUntil: NOW + 540_000, runId: `run-${UID.producerA}` },
  patch: { 'req-a-assign/leaseUntil': 0 },
});

/** `vmPool/alertIndex/{scope}/{sourceId}`: the unresolved alert per condition (dedupe). */
export const alertIndexCases: RuleCase[] = controlPlaneOnly({
  label: 'alert index entries',
  listing: 'vmPool/alertIndex/comp-a',
  entry: 'vmPool/alertIndex/comp-a/obs-disconnected-vm-001',
  data: 'alert-a2',
  patch: { 'obs-disconnected-vm-001': null, 'show-server-down-vm-001': 'alert-a3' },
});

/** `vmPool/schedule/{compId}`: what the schedule did for a show. */
export const scheduleMarkCases: RuleCase[] = controlPlaneOnly({
  label: 'schedule marks',
  listing: 'vmPool/schedule',
  entry: 'vmPool/schedule/comp-a',
  data: { startsAt: NOW, requestId: null, attempt: 0, at: NOW },
  patch: { 'comp-a': null, 'comp-b/attempt': 3 },
});

/** `vmPool/migrations/{name}`: which one-shot data migrations have run. */
export const migrationCases: RuleCase[] = controlPlaneOnly({
  label: 'migration marks',
  listing: 'vmPool/migrations',
  entry: 'vmPool/migrations/agent-pulse',
  data: { at: NOW, moved: 0 },
  patch: { 'agent-pulse': null },
});

/** `vmPool/allocation/{vmId}`: what an assign ranks of each VM (a hint kept by the store). */
export const allocationIndexCases: RuleCase[] = controlPlaneOnly({
  label: 'allocation index entries',
  listing: 'vmPool/allocation',
  entry: 'vmPool/allocation/vm-001',
  data: { status: 'available', healthStatus: 'healthy', region: 'us-east-1' },
  patch: { 'vm-002/status': 'available' },
});

/** `vmPool/summaryIndex`: each VM's status behind the producers' pool summary (issue 9). */
export const summaryIndexCases: RuleCase[] = controlPlaneOnly({
  label: 'the pool summary index',
  listing: 'vmPool/summaryIndex',
  entry: 'vmPool/summaryIndex/vms/vm-002',
  data: { status: 'stopped', assigned: false },
  patch: { 'vms/vm-002': null, seq: 9 },
});

/** `vmPool/alertDeliveries/{scope}/{alertId}/{event}`: each webhook notification's state. */
export const alertDeliveryCases: RuleCase[] = controlPlaneOnly({
  label: 'alert webhook deliveries',
  listing: 'vmPool/alertDeliveries/comp-a',
  entry: 'vmPool/alertDeliveries/comp-a/alert-a2/raised',
  data: { state: 'delivered', attempts: 1, leaseUntil: 0, nextAttemptAt: 0, updatedAt: NOW },
  patch: { 'alert-a2/raised': null, 'alert-a3/raised/state': 'delivered' },
});

/** `vmPool/alertDeliveryQueue/{scope}/{alertId}/{event}`: webhook posts waiting for a retry. */
export const alertDeliveryQueueCases: RuleCase[] = controlPlaneOnly({
  label: 'alert webhook retries',
  listing: 'vmPool/alertDeliveryQueue',
  entry: 'vmPool/alertDeliveryQueue/comp-a/alert-a2/raised',
  data: NOW,
  patch: { 'comp-a/alert-a2/raised': null, 'comp-a/alert-a3/resolved': NOW },
});

export const controlPlaneCases: RuleCase[] = [
  ...assignmentSlotCases,
  ...openRequestCases,
  ...alertIndexCases,
  ...scheduleMarkCases,
  ...migrationCases,
  ...allocationIndexCases,
  ...summaryIndexCases,
  ...alertDeliveryCases,
  ...alertDeliveryQueueCases,
];
