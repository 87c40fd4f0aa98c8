import type { PoolConfig } from '../../contract/pool-config';
import type { VmRecord } from '../../contract/vm-record';
import { failsOnStaleAgent } from '../vm-status';

/**
 * Issue 11: whether agents falling silent now share one cause outside their VMs (the database
 * restarted, the control plane or the network was down): at least two agents, and at least half
 * of those that should be reporting, have been silent (offline, or no report for half the stale
 * limit). A recovery such an outage interrupted is not the VM's failure: it does not count
 * against `recoveryMaxAttempts`, while one VM falling silent alone (flapping) still does. VMs
 * whose agent never reported (still booting) are neither silent nor reporting here.
 */
export function agentSilenceIsShared(
  vms: readonly Pick<VmRecord, 'status' | 'errorCause' | 'ec2State' | 'agent'>[],
  config: Pick<PoolConfig, 'agentStaleSeconds'>,
  now: number,
): boolean {
  const silentAfterMs = (config.agentStaleSeconds * 1000) / 2;
  let expected = 0;
  let silent = 0;
  for (const vm of vms) {
    const shouldReport =
      failsOnStaleAgent(vm.status) ||
      (vm.status === 'error' && vm.errorCause === 'agent_stale' && vm.ec2State === 'running');
    if (!shouldReport || vm.agent === null) continue;
    expected += 1;
    if (!vm.agent.online || now - vm.agent.lastSeen >= silentAfterMs) silent += 1;
  }
  return silent >= 2 && silent * 2 >= expected;
}
