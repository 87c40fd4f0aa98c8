import { STATUS_INFO, type VmRecord } from '@vmpool/core';
import type { CompetitionSummary } from '../data/competitions';

/** What a competition's VM is doing, in one badge: none, getting ready, or ready. */
export function CompetitionVmBadge({
  competition,
  vm,
}: {
  competition: CompetitionSummary;
  vm: VmRecord | undefined;
}) {
  if (vm === undefined && competition.vmId === null) {
    return <span className="badge tone-gray">No VM</span>;
  }
  if (vm === undefined) {
    return <span className="badge tone-yellow">{competition.vmId}</span>;
  }
  const info = STATUS_INFO[vm.status];
  return (
    <span className={`badge tone-${info.colour}`} title={vm.statusReason}>
      {vm.vmId} · {info.label}
    </span>
  );
}
