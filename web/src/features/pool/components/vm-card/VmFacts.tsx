/** A VM card's facts: public IP, assignment, agent presence and (live) health. */
import {
  healthVerdict,
  isRunningStatus,
  isScheduleRequest,
  type HealthStatus,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import { formatAgo, formatDuration } from '../../../../lib/format';
import { PRESENCE_TEXT, type AgentPresence } from '../../lib/agentPresence';

const HEALTH_TONE: Readonly<Record<HealthStatus, string>> = {
  healthy: 'green',
  degraded: 'yellow',
  unhealthy: 'red',
  unknown: 'gray',
};

export function VmFacts({
  vm,
  now,
  config,
  presence,
  publicIp,
  assignedName,
}: {
  vm: VmRecord;
  now: number;
  config: PoolConfig;
  presence: AgentPresence;
  publicIp: string | null;
  assignedName: string | null;
}) {
  // While the VM should be up, judge its health live: the stored verdict lags behind a dead
  // agent until the next health check. Otherwise the stored verdict is all there is.
  const health = isRunningStatus(vm.status)
    ? healthVerdict(vm.agent, config, now)
    : { status: vm.healthStatus, agentStale: false, reasons: [] };
  const uptime = vm.agent?.metrics?.uptimeSeconds;
  return (
    <dl className="kv">
      <dt>Public IP</dt>
      <dd className="mono">{publicIp ?? <span className="faint">none</span>}</dd>
      <dt>Assigned to</dt>
      <dd>
        {vm.assignedTo === null ? (
          <span className="faint">—</span>
        ) : (
          <>
            <span title={vm.assignedTo}>{assignedName ?? vm.assignedTo}</span>
            {vm.assignedBy !== null && isScheduleRequest({ requestedBy: vm.assignedBy }) && (
              <span className="faint"> · by the schedule</span>
            )}
          </>
        )}
      </dd>
      <dt>Agent</dt>
      <dd>
        <span
          className={`dot dot-${presence === 'online' ? 'green' : presence === 'never' ? 'gray' : 'red'}`}
          aria-hidden="true"
        />{' '}
        {PRESENCE_TEXT[presence]}
        {vm.agent !== null && (
          <span className="faint"> · seen {formatAgo(vm.agent.lastSeen, now)}</span>
        )}
      </dd>
      <dt>Health</dt>
      <dd title={health.reasons.join('; ') || undefined}>
        <span className={`dot dot-${HEALTH_TONE[health.status]}`} aria-hidden="true" />{' '}
        {health.status}
        {/* Service problems show in the dots below; a silent agent shows nowhere else. */}
        {health.agentStale && health.reasons[0] !== undefined && (
          <span className="faint"> · {health.reasons[0]}</span>
        )}
        {uptime !== undefined && presence === 'online' && (
          <span className="faint"> · up {formatDuration(uptime * 1000)}</span>
        )}
      </dd>
    </dl>
  );
}
