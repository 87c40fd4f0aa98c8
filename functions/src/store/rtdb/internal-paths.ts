/**
 * Control-plane-only paths (not in the public contract; the rules deny every client). Their
 * shapes are described in docs/contract.md, "Control-plane-only paths".
 */
export const internalPaths = {
  assignments: () => 'vmPool/assignments',
  assignment: (competitionId: string) => `vmPool/assignments/${competitionId}`,
  openRequests: () => 'vmPool/openRequests',
  openRequest: (requestId: string) => `vmPool/openRequests/${requestId}`,
  alertIndex: () => 'vmPool/alertIndex',
  alertIndexEntry: (scope: string, sourceId: string) => `vmPool/alertIndex/${scope}/${sourceId}`,
  allocationIndex: () => 'vmPool/allocation',
  allocationEntry: (vmId: string) => `vmPool/allocation/${vmId}`,
  summaryIndex: () => 'vmPool/summaryIndex',
  // Alert webhook: each notification's delivery state, and the failed ones waiting for a retry.
  alertDelivery: (scope: string, alertId: string, event: string) =>
    `vmPool/alertDeliveries/${scope}/${alertId}/${event}`,
  alertDeliveryQueue: () => 'vmPool/alertDeliveryQueue',
  alertDeliveryQueueEntry: (scope: string, alertId: string, event: string) =>
    `vmPool/alertDeliveryQueue/${scope}/${alertId}/${event}`,
} as const;
