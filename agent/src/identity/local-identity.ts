// Local mode's identity: no IMDS; the VM id and addresses come from the configuration.
import type { InstanceIdentity } from './types';

export function localIdentity(
  vmId: string,
  addresses: { publicIp: string; privateIp: string },
): InstanceIdentity {
  return {
    instanceId: `local-${vmId}`,
    region: 'local',
    availabilityZone: 'local-a',
    instanceType: 'local',
    publicIp: addresses.publicIp,
    privateIp: addresses.privateIp,
    document: null,
    signature: null,
  };
}
