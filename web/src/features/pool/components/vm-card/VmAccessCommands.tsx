import type { VmRecord } from '@vmpool/core';
import { CopyCommand } from '../../../../components/CopyCommand';

/** Copyable commands to reach a VM: an SSM session always, SSH once it has a public IP. */
export function VmAccessCommands({
  vm,
  region,
  publicIp,
}: {
  vm: VmRecord;
  region: string;
  publicIp: string | null;
}) {
  return (
    <>
      <CopyCommand
        label={`SSM command for ${vm.vmId}`}
        command={`aws ssm start-session --target ${vm.instanceId} --region ${region || 'us-east-1'}`}
      />
      {publicIp !== null && (
        <CopyCommand label={`SSH command for ${vm.vmId}`} command={`ssh ubuntu@${publicIp}`} />
      )}
    </>
  );
}
