import { STATUS_INFO, type VmRecord } from '@vmpool/core';
import type { VmReadiness } from '../../pool';
import type { CompetitionSummary } from '../api/competitions';

/**
 * What a competition's VM is doing, in one badge: none, getting ready, ready, or (red) held
 * but unreachable or unhealthy.
 */
export function CompetitionVmBadge({
  competition,
  vm,
  readiness,
}: {
  competition: CompetitionSummary;
  vm: VmRecord | undefined;
  /** `vmReadiness(vm, …)`, when the VM record is known. */
  readiness: VmReadiness | null;
}) {
  if (vm === undefined && competition.vmId === null) {
    return <span className="badge tone-gray">No VM</span>;
  }
  if (vm === undefined) {
    return <span className="badge tone-yellow">{competition.vmId}</span>;
  }
  if (readiness?.flagged === true) {
    return (
      <span className="badge tone-red" title={readiness.reason ?? undefined}>
        {vm.vmId} · {readiness.label}
      </span>
    );
  }
  const info = STATUS_INFO[vm.status];
  return (
    <span className={`badge tone-${info.colour}`} title={vm.statusReason}>
      {vm.vmId} · {info.label}
    </span>
  );
}
