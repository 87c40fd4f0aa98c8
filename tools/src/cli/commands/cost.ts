// `vmpool cost [--month yyyy-mm]`: the month's EC2 cost from `vmPool/costs/{month}`.
import { COST_MONTH_PATTERN, parseMonthlyCost, paths } from '@vmpool/core';
import type { Command } from '../command';
import { failed } from '../errors';

const usd = (value: number) => `$${value.toFixed(2)}`;
const hours = (seconds: number) => `${(seconds / 3600).toFixed(1)} h`;

export const cost: Command = {
  names: ['cost'],
  summary: "the month's EC2 cost: total, idle, per competition and per VM",
  usage: 'vmpool cost [--month yyyy-mm]   (default: this month, UTC)',
  options: { month: { type: 'string' } },
  check(_name, positionals, values) {
    const errors: string[] = [];
    if (positionals.length > 0) errors.push('cost takes no arguments (use --month)');
    if (typeof values.month === 'string' && !COST_MONTH_PATTERN.test(values.month))
      errors.push(`--month must be yyyy-mm, got "${values.month}"`);
    return errors;
  },
  async run(ctx, _name, _positionals, values) {
    const month =
      typeof values.month === 'string'
        ? values.month
        : new Date(ctx.now()).toISOString().slice(0, 7);
    const db = await ctx.db();
    const raw: unknown = (await db.ref(paths.monthlyCost(month)).get()).val();
    if (raw === null) {
      ctx.out.result({ month, cost: null });
      ctx.out.line(`no cost figures for ${month} yet (the control plane writes them as VMs run)`);
      return 0;
    }
    const parsed = parseMonthlyCost(raw);
    if (!parsed.ok)
      throw failed(
        `vmPool/costs/${month} does not match the contract: ${parsed.errors.join('; ')}`,
      );
    const figures = parsed.value;
    ctx.out.result({ month, cost: figures });
    ctx.out.line(
      `${month}: ${usd(figures.total.usd)} for ${hours(figures.total.billableSeconds)} ` +
        `(idle ${usd(figures.idle.usd)}, ${hours(figures.idle.billableSeconds)}), ` +
        `through ${new Date(figures.through).toISOString()}`,
    );
    const competitions = Object.entries(figures.competitions).sort((a, b) => b[1].usd - a[1].usd);
    if (competitions.length > 0) ctx.out.line('competitions:');
    for (const [id, c] of competitions)
      ctx.out.line(`  ${id.padEnd(32)} ${usd(c.usd).padStart(10)}  ${hours(c.billableSeconds)}`);
    const vms = Object.entries(figures.vms).sort((a, b) => a[0].localeCompare(b[0]));
    if (vms.length > 0) ctx.out.line('VMs:');
    for (const [id, v] of vms)
      ctx.out.line(
        `  ${id.padEnd(12)} ${v.instanceType.padEnd(12)} ${usd(v.usd).padStart(10)}  ${hours(v.billableSeconds)}  idle ${usd(v.idleUsd)}`,
      );
    if (figures.unpriced.billableSeconds > 0)
      ctx.out.line(
        `unpriced: ${hours(figures.unpriced.billableSeconds)} of ${figures.unpriced.instanceTypes.join(', ')} (not in the total)`,
      );
    return 0;
  },
};
