/**
 * The Firebase Auth identity of a VM's agent (docs/contract.md, Roles). `agentToken` mints a
 * custom token with these claims; the rules give `vmPool/vms/{vmId}/agent` and the VM's
 * commands only to a token whose `instanceId` is the one recorded in `vmPool/vms/{vmId}`, so
 * the token of a terminated instance opens nothing once its record is gone or its VM id is
 * given to another instance. The uid is per instance, so that revoking a terminated
 * instance's sessions never touches the instance that holds its VM id later.
 */
export interface AgentTokenClaims {
  vmId: string;
  instanceId: string;
}

/** The Auth uid of the agent on one EC2 instance (or local VM). */
export function agentAuthUid(instanceId: string): string {
  return `agent-${instanceId}`;
}
