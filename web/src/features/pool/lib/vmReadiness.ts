/**
 * Whether a competition's VM can carry a show right now: it must hold the assignment in a
 * settled, running status and its agent must be reporting. Combines core's health verdict with
 * the app's agent presence so every view (badge, links, widget) says the same thing.
 */
import {
  DEFAULT_POOL_CONFIG,
  healthVerdict,
  isFailed,
  isHandedOver,
  STATUS_INFO,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import { agentPresence, PRESENCE_TEXT } from './agentPresence';

export type ReadinessTone = 'green' | 'yellow' | 'red';

export interface VmReadiness {
  /** Assigned or in use, agent reporting and not unhealthy: the producer views may open. */
  ready: boolean;
  /** The VM should be serving but its agent is offline, silent or has never reported. */
  unreachable: boolean;
  /** The VM should be serving but is not (unreachable or unhealthy): show it in red. */
  flagged: boolean;
  tone: ReadinessTone;
  /** Short state: the status label, or "Unreachable" / "Unhealthy" when flagged. */
  label: string;
  /** Why the VM is not ready (for titles and disabled links); null when ready. */
  reason: string | null;
}

/** `poolConfig` null (not loaded yet) judges with core's defaults. */
export function vmReadiness(
  vm: VmRecord,
  poolConfig: Readonly<PoolConfig> | null,
  now: number,
): VmReadiness {
  const config = poolConfig ?? DEFAULT_POOL_CONFIG;
  const info = STATUS_INFO[vm.status];
  if (!isHandedOver(vm.status)) {
    return {
      ready: false,
      unreachable: false,
      flagged: false,
      tone: isFailed(vm.status) ? 'red' : 'yellow',
      label: info.label,
      reason: `VM ${info.label.toLowerCase()}`,
    };
  }
  const verdict = healthVerdict(vm.agent, config, now);
  if (verdict.agentStale) {
    const presence = agentPresence(vm.agent, now, config.agentStaleSeconds);
    return {
      ready: false,
      unreachable: true,
      flagged: true,
      tone: 'red',
      label: 'Unreachable',
      reason: `VM unreachable: agent ${PRESENCE_TEXT[presence]}`,
    };
  }
  if (verdict.status === 'unhealthy') {
    return {
      ready: false,
      unreachable: false,
      flagged: true,
      tone: 'red',
      label: 'Unhealthy',
      reason: `VM unhealthy: ${verdict.reasons.join('; ')}`,
    };
  }
  return {
    ready: true,
    unreachable: false,
    flagged: false,
    tone: 'green',
    label: info.label,
    reason: null,
  };
}
