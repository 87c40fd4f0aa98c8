// `vmpool status`: the pool by status and each VM's status, competition, address and agent.
import {
  DEFAULT_POOL_CONFIG,
  isAgentStale,
  parsePoolConfig,
  paths,
  readVmList,
  VM_STATUSES,
  type VmRecord,
} from '@vmpool/core';
import type { Command } from '../command';

export type AgentPresence = 'online' | 'stale' | 'none';

export interface VmLine {
  vmId: string;
  status: VmRecord['status'];
  assignedTo: string | null;
  address: string | null;
  agent: AgentPresence;
  agentLastSeen: number | null;
}

export const status: Command = {
  names: ['status'],
  summary: 'the pool: counts by status, each VM with its competition, address and agent',
  usage: 'vmpool status [--json]',
  options: {},
  check: (_name, positionals) =>
    positionals.length > 0 ? [`status takes no arguments, got: ${positionals.join(' ')}`] : [],
  async run(ctx) {
    const db = await ctx.db();
    const [vmsSnap, configSnap, pulsesSnap] = await Promise.all([
      db.ref(paths.vms()).get(),
      db.ref(paths.poolConfig()).get(),
      db.ref(paths.pulses()).get(),
    ]);
    const now = ctx.now();
    const parsedConfig = parsePoolConfig(configSnap.val());
    const config = parsedConfig.ok ? parsedConfig.value : DEFAULT_POOL_CONFIG;
    // Heartbeats live in vmPool/pulse; the report under the VM is written on change only.
    const list = readVmList(vmsSnap.val(), pulsesSnap.val());
    const invalid = list.invalid;
    const vms: VmLine[] = list.vms.map((vm) => ({
      vmId: vm.vmId,
      status: vm.status,
      assignedTo: vm.assignedTo,
      address: vm.publicIp ?? vm.publicDns ?? vm.privateIp,
      agent: vm.agent === null ? 'none' : isAgentStale(vm.agent, config, now) ? 'stale' : 'online',
      agentLastSeen: vm.agent?.lastSeen ?? null,
    }));
    const counts: Record<string, number> = {};
    for (const name of VM_STATUSES) counts[name] = 0;
    for (const vm of vms) counts[vm.status] = (counts[vm.status] ?? 0) + 1;

    ctx.out.result({ total: vms.length, counts, vms, invalid });
    const nonZero = Object.entries(counts).filter(([, n]) => n > 0);
    ctx.out.line(
      `pool: ${vms.length} VM${vms.length === 1 ? '' : 's'}` +
        (nonZero.length > 0 ? ` (${nonZero.map(([s, n]) => `${n} ${s}`).join(', ')})` : ''),
    );
    if (!parsedConfig.ok) ctx.out.line('pool config: missing or invalid (defaults used)');
    if (vms.length > 0) {
      const rows = [
        ['VM', 'STATUS', 'COMPETITION', 'ADDRESS', 'AGENT'],
        ...vms.map((vm) => [
          vm.vmId,
          vm.status,
          vm.assignedTo ?? '-',
          vm.address ?? '-',
          vm.agent === 'none'
            ? 'none'
            : `${vm.agent} (${Math.max(0, Math.round((now - (vm.agentLastSeen ?? now)) / 1000))} s ago)`,
        ]),
      ];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
      for (const row of rows)
        ctx.out.line(
          row
            .map((cell, i) => cell.padEnd(widths[i]!))
            .join('  ')
            .trimEnd(),
        );
    }
    for (const bad of invalid)
      ctx.out.line(`${bad.vmId}: invalid record: ${bad.errors.join('; ')}`);
    return 0;
  },
};
