/**
 * The VM pool (`vmPool/vms`, `vmPool/config`): the live list and its actions, what a VM may do
 * and whether it is ready, and the views of VMs and of the pool.
 */
export { Metrics } from './components/Metrics';
export { PoolConfigPanel } from './components/PoolConfigPanel';
export { PoolStatusBar } from './components/PoolStatusBar';
export { ServiceDots } from './components/ServiceDots';
export { StatusBadge } from './components/StatusBadge';
export { VmCardContainer } from './components/vm-card/VmCardContainer';
export { useVMPool, type VMPoolView } from './hooks/useVMPool';
export { agentPresence, PRESENCE_TEXT } from './lib/agentPresence';
export { vmActionAvailability } from './lib/vmActions';
export { vmReadiness, type VmReadiness } from './lib/vmReadiness';
