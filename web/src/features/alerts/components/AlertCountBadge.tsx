/** The header's alert count: coloured by the most severe level that needs attention. */
export function AlertCountBadge({
  criticalCount,
  warningCount,
  infoCount,
}: {
  criticalCount: number;
  warningCount: number;
  infoCount: number;
}) {
  const total = criticalCount + warningCount + infoCount;
  const level =
    criticalCount > 0 ? 'critical' : warningCount > 0 ? 'warning' : total > 0 ? 'info' : 'none';
  return (
    <span
      className="alert-count"
      data-level={level}
      role="status"
      aria-label={`${total} unacknowledged alerts (${criticalCount} critical, ${warningCount} warnings)`}
    >
      {total}
    </span>
  );
}
