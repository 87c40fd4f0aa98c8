import type { AgentReport } from '@vmpool/core';

export type AgentPresence = 'online' | 'stale' | 'offline' | 'never';

/** Whether the agent's last report is still evidence of anything. */
export function agentPresence(
  agent: AgentReport | null,
  now: number,
  staleSeconds: number,
): AgentPresence {
  if (agent === null) return 'never';
  if (!agent.online) return 'offline';
  return now - agent.lastSeen > staleSeconds * 1000 ? 'stale' : 'online';
}

export const PRESENCE_TEXT: Readonly<Record<AgentPresence, string>> = {
  online: 'online',
  stale: 'not heard from',
  offline: 'offline',
  never: 'not reported yet',
};
