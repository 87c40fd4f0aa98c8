import { STATUS_INFO, type VmStatus } from '@vmpool/core';

/** The VM status in core's label and colour; the text is exactly the status label. */
export function StatusBadge({ status }: { status: VmStatus }) {
  const info = STATUS_INFO[status];
  return <span className={`badge tone-${info.colour}`}>{info.label}</span>;
}
