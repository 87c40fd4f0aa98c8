// Local mode's identity: no IMDS, the VM id given on the command line.
import type { InstanceIdentity } from './types';

export function localIdentity(vmId: string): InstanceIdentity {
  return {
    instanceId: `local-${vmId}`,
    region: 'local',
    availabilityZone: 'local-a',
    instanceType: 'local',
    publicIp: '127.0.0.1',
    privateIp: '127.0.0.1',
    document: null,
    signature: null,
  };
}
