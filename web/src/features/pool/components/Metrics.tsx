import type { VmMetrics } from '@vmpool/core';
import { formatPercent, usageLevel } from '../../../lib/format';

function Meter({ label, percent, detail }: { label: string; percent: number; detail?: string }) {
  return (
    <div className="metric">
      <div className="metric-top">
        <span>{label}</span>
        <strong>{formatPercent(percent)}</strong>
      </div>
      <div
        className="meter"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(percent)}
        title={detail}
      >
        <span style={{ width: `${Math.min(100, percent)}%` }} data-level={usageLevel(percent)} />
      </div>
    </div>
  );
}

export function Metrics({ metrics }: { metrics: VmMetrics | null }) {
  if (metrics === null)
    return (
      <p className="faint" style={{ margin: 0, fontSize: 12.5 }}>
        No metrics yet.
      </p>
    );
  return (
    <div className="metrics" aria-label="Metrics" role="group">
      <Meter label="CPU" percent={metrics.cpuPercent} detail={`load ${metrics.load1.toFixed(2)}`} />
      <Meter
        label="Memory"
        percent={metrics.memUsedPercent}
        detail={`${Math.round(metrics.memUsedMb)} / ${Math.round(metrics.memTotalMb)} MB`}
      />
      <Meter label="Disk" percent={metrics.diskUsedPercent} />
    </div>
  );
}
