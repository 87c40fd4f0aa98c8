// The deployed Cloud Functions. Each trigger is thin: it parses its event and calls a use case
// with the dependencies built once per instance (triggers/production-deps.ts).
import { createProductionDeps } from './triggers/production-deps';
import { registerProductionDeps } from './triggers/runtime';

registerProductionDeps(() => createProductionDeps());

export { onPoolRequestCreated } from './triggers/request-created';
export { onAgentWritten } from './triggers/agent-written';
export { onCommandStatusWritten } from './triggers/command-status-written';
export { scheduledReconcile } from './triggers/scheduled-reconcile';
export { agentToken } from './triggers/agent-token';
export { api } from './triggers/api';
export { ec2StateChange } from './triggers/ec2-state-change';
export { onAlertWritten } from './triggers/alert-written';
export { failoverRecheck } from './triggers/failover-recheck';
