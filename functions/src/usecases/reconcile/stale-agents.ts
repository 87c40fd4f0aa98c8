import {
  agentSilenceIsShared,
  failsOnStaleAgent,
  forgiveInterruptedAttempt,
  healthVerdict,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import type { UseCaseDeps } from '../deps';
import { failVm } from '../shared/vm-changes';

/**
 * Running VMs whose agent stopped reporting go to error with cause `agent_stale` (alerts
 * follow from deriveAlerts); the agent's next fresh report recovers them (events/agent-report).
 * When most agents fell silent together (the database or the control plane was down), the
 * recovery that outage cut short is not counted against the VM.
 */
export async function failStaleAgents(
  deps: UseCaseDeps,
  config: PoolConfig,
  vms: VmRecord[],
): Promise<number> {
  const now = deps.clock.now();
  const graceMs = config.agentStaleSeconds * 1000;
  const shared = agentSilenceIsShared(vms, config, now);
  let failed = 0;
  for (const vm of vms) {
    if (!failsOnStaleAgent(vm.status)) continue;
    if (now - vm.statusChangedAt <= graceMs) continue;
    const verdict = healthVerdict(vm.agent, config, now);
    if (!verdict.agentStale) continue;
    const { committed } = await deps.store.updateVm(vm.vmId, (current) => {
      if (current.status !== vm.status) return null;
      const stale = failVm(
        current,
        'fail',
        now,
        'agent_stale',
        `agent stopped reporting: ${verdict.reasons.join('; ')}`,
        { healthStatus: verdict.status, lastHealthCheck: now },
      );
      return stale !== null && shared
        ? { ...stale, recovery: forgiveInterruptedAttempt(stale.recovery) }
        : stale;
    });
    if (committed) failed += 1;
  }
  return failed;
}
