// Samples the VM's vital signs with systeminformation. CPU and network rates are measured
// between two calls, so the first sample after start only primes them.
import { loadavg, uptime } from 'node:os';
import si from 'systeminformation';
import type { MetricsReport } from '../report/types';

const MB = 1024 * 1024;

const round1 = (value: number): number => Math.round(value * 10) / 10;
const clampPercent = (value: number): number =>
  Math.min(100, Math.max(0, round1(Number.isFinite(value) ? value : 0)));

export class MetricsSampler {
  constructor(private readonly diskPath: string) {}

  async sample(now: number): Promise<MetricsReport> {
    const [load, memory, disks, networks] = await Promise.all([
      si.currentLoad(),
      si.mem(),
      si.fsSize(),
      si.networkStats('*'),
    ]);
    const disk = disks.find((entry) => entry.mount === this.diskPath) ?? disks[0];
    // Loopback traffic (the agent's own probes) is not the VM's network load.
    const external = networks.filter((entry) => entry.iface !== 'lo');
    const rx = external.reduce((sum, entry) => sum + Math.max(0, entry.rx_sec ?? 0), 0);
    const tx = external.reduce((sum, entry) => sum + Math.max(0, entry.tx_sec ?? 0), 0);
    // "available" is what programs can still get; "used" would count the page cache.
    const usedBytes = memory.total - memory.available;
    return {
      cpuPercent: clampPercent(load.currentLoad),
      load1: round1(Math.max(0, loadavg()[0] ?? 0)),
      memUsedPercent: clampPercent(memory.total > 0 ? (usedBytes / memory.total) * 100 : 0),
      memUsedMb: Math.round(usedBytes / MB),
      memTotalMb: Math.round(memory.total / MB),
      diskUsedPercent: clampPercent(disk?.use ?? 0),
      netRxBps: Math.round(rx),
      netTxBps: Math.round(tx),
      // os.uptime(), not si.time(): that one also formats time zones through Intl, which pages
      // in about 8 MB of the node binary's ICU data for nothing.
      uptimeSeconds: Math.max(0, Math.round(uptime())),
      sampledAt: now,
    };
  }
}
