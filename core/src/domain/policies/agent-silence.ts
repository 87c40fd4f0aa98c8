import type { AgentReport } from '../../contract/agent-report';
import type { PoolConfig } from '../../contract/pool-config';

const DAY_MS = 86_400_000;

/** "06:41:03 UTC", with the date in front when it is a day or more ago. */
export function formatUtc(at: number, now: number): string {
  const iso = new Date(at).toISOString();
  const time = `${iso.slice(11, 19)} UTC`;
  return now - at >= DAY_MS ? `${iso.slice(0, 10)} ${time}` : time;
}

/** "just now", "12 s ago", "4 min ago", "3 h 5 min ago", "2 d 4 h ago". */
export function formatAge(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  if (seconds < 1) return 'just now';
  if (seconds < 90) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 90) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48)
    return minutes % 60 === 0 ? `${hours} h ago` : `${hours} h ${minutes % 60} min ago`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d ago` : `${days} d ${hours % 24} h ago`;
}

/**
 * Why a VM's agent counts as unreachable, in words for the crew. An agent that disconnected
 * has `online: false` and `lastSeen` = the moment the disconnect was recorded; one that went
 * silent is still `online` but its heartbeat is older than agentStaleSeconds.
 */
export function describeAgentSilence(
  vmId: string,
  agent: AgentReport | null,
  config: Pick<PoolConfig, 'agentStaleSeconds'>,
  now: number,
): string {
  if (agent === null) return `The agent on ${vmId} has never reported since the VM started.`;
  const when = `${formatUtc(agent.lastSeen, now)} (${formatAge(now - agent.lastSeen)})`;
  if (!agent.online) return `The agent on ${vmId} disconnected at ${when}.`;
  return `The agent on ${vmId} has sent no heartbeat since ${when}; it counts as unreachable after ${config.agentStaleSeconds} s.`;
}
