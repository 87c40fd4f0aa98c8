import { withPulse, type AgentPulse } from '../../contract/agent-pulse';
import type { AgentReport, ServiceName } from '../../contract/agent-report';
import type { PoolConfig } from '../../contract/pool-config';
import type { HealthStatus, VmStatus } from '../../contract/vm-record';

export interface HealthVerdict {
  status: HealthStatus;
  /** The agent is offline or has not reported within agentStaleSeconds. */
  agentStale: boolean;
  reasons: string[];
}

/** Without these the show cannot run at all. */
const ESSENTIAL: readonly ServiceName[] = ['showServer'];
/** Without these the show runs impaired. */
const SUPPORTING: readonly ServiceName[] = [
  'obsWebsocket',
  'obs',
  'nimble',
  'noMachine',
  'xvfb',
  'discord',
];

/**
 * THE answer to "is this VM's agent fresh": it has reported, is online (presence), and was
 * heard from — a state write under `agent` or a heartbeat in its pulse — within
 * `agentStaleSeconds`. Give the pulse when `agent` is the report as stored; a record the store
 * already merged (`withPulse`, as `listVms`/`getVm` return them) needs none. Everything that
 * judges agent freshness (health verdicts, alerts, reconcile, release, the web app) uses this.
 */
export function isAgentFresh(
  agent: AgentReport | null,
  pulse: AgentPulse | null,
  config: Pick<PoolConfig, 'agentStaleSeconds'>,
  now: number,
): boolean {
  const merged = withPulse(agent, pulse);
  return (
    merged !== null && merged.online && now - merged.lastSeen <= config.agentStaleSeconds * 1000
  );
}

/** Not `isAgentFresh`, for a merged report (the store's records). */
export function isAgentStale(
  agent: AgentReport | null,
  config: Pick<PoolConfig, 'agentStaleSeconds'>,
  now: number,
): boolean {
  return !isAgentFresh(agent, null, config, now);
}

/** Judges a VM's health from its agent's last report and how old that report is. */
export function healthVerdict(
  agent: AgentReport | null,
  config: PoolConfig,
  now: number,
): HealthVerdict {
  if (agent === null) {
    return { status: 'unknown', agentStale: true, reasons: ['the agent has never reported'] };
  }
  if (!agent.online) {
    return { status: 'unhealthy', agentStale: true, reasons: ['the agent is offline'] };
  }
  const ageSeconds = Math.floor((now - agent.lastSeen) / 1000);
  if (isAgentStale(agent, config, now)) {
    return {
      status: 'unhealthy',
      agentStale: true,
      reasons: [`no heartbeat for ${ageSeconds}s (limit ${config.agentStaleSeconds}s)`],
    };
  }

  const unhealthy: string[] = [];
  const degraded: string[] = [];
  for (const name of [...ESSENTIAL, ...SUPPORTING]) {
    const service = agent.services[name];
    if (service?.state !== 'down') continue;
    const line = `${name} is down${service.detail ? `: ${service.detail}` : ''}`;
    (ESSENTIAL.includes(name) ? unhealthy : degraded).push(line);
  }
  if (agent.show !== null) {
    if (!agent.show.reachable && agent.services.showServer?.state !== 'down') {
      unhealthy.push('the show server does not answer /api/status');
    } else if (
      agent.show.reachable &&
      !agent.show.obsConnected &&
      agent.services.obsWebsocket?.state !== 'down'
    ) {
      degraded.push('the show server is not connected to OBS');
    }
  }

  if (unhealthy.length > 0)
    return { status: 'unhealthy', agentStale: false, reasons: [...unhealthy, ...degraded] };
  if (degraded.length > 0) return { status: 'degraded', agentStale: false, reasons: degraded };
  const known = Object.values(agent.services).some((service) => service.state !== 'unknown');
  if (!known && agent.show === null) {
    return { status: 'unknown', agentStale: false, reasons: ['no service checks reported yet'] };
  }
  return { status: 'healthy', agentStale: false, reasons: [] };
}

// --- health_failed (issue 11)
/**
 * What the health verdict means for a VM's place in the pool: a free, running VM (`available`)
 * whose fresh agent reports it unhealthy (an essential service down, the show server not
 * answering) for longer than `agentStaleSeconds` (the same grace a silent agent gets) fails as
 * `health_failed`, so nobody is handed a broken VM; core's recovery policy returns it once its
 * agent reports healthy again. A VM holding a competition is never failed by this (failover and
 * the VM alerts handle a show's VM). A silent agent is `agent_stale`'s business, not this one.
 */
export interface HealthFailure {
  /** The record's `unhealthySince` after this look (null: not unhealthy now). */
  unhealthySince: number | null;
  /** Fail the VM now (cause `health_failed`), with the verdict's reasons. */
  fail: boolean;
  reasons: string[];
}

export function healthFailure(
  vm: { status: VmStatus; agent: AgentReport | null; unhealthySince: number | null },
  config: PoolConfig,
  now: number,
): HealthFailure {
  const verdict = healthVerdict(vm.agent, config, now);
  if (verdict.agentStale || verdict.status !== 'unhealthy') {
    return { unhealthySince: null, fail: false, reasons: [] };
  }
  const since = vm.unhealthySince ?? now;
  const lasted = now - since > config.agentStaleSeconds * 1000;
  return {
    unhealthySince: since,
    fail: lasted && vm.status === 'available',
    reasons: verdict.reasons,
  };
}
// ---
