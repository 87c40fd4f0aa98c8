import { isAgentFresh, type AgentReport } from '@vmpool/core';

export type AgentPresence = 'online' | 'stale' | 'offline' | 'never';

/**
 * Whether the agent's last report is still evidence of anything (`agent` as merged with its
 * pulse by `watchVms`; freshness is core's `isAgentFresh`).
 */
export function agentPresence(
  agent: AgentReport | null,
  now: number,
  staleSeconds: number,
): AgentPresence {
  if (agent === null) return 'never';
  if (!agent.online) return 'offline';
  return isAgentFresh(agent, null, { agentStaleSeconds: staleSeconds }, now) ? 'online' : 'stale';
}

export const PRESENCE_TEXT: Readonly<Record<AgentPresence, string>> = {
  online: 'online',
  stale: 'not heard from',
  offline: 'offline',
  never: 'not reported yet',
};
