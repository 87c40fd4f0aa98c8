export * from './allocation';
export * from './launch-settings';
export * from './warm-pool';
export * from './idle-stop';
export * from './health';
export * from './alerts';
export * from './alert-notifications';
export * from './agent-silence';
export * from './pricing';
export * from './boot-estimate';
export * from './cost';
export * from './schedule';
export * from './stream-alerts';
export * from './failover';
export * from './pool-summary';
export * from './state-restore';
// Issue 13: status history retention.
export * from './history-retention';
// Issue 11: an outage every agent shared does not count against a VM's recovery budget.
export * from './shared-outage';
