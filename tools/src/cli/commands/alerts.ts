// `vmpool alerts [--competition C] [--all]` lists alerts; `vmpool alerts ack ID` acknowledges
// one, writing only the acknowledgement fields as the web app does.
import { parseAlert, paths, POOL_ALERT_SCOPE, type Alert } from '@vmpool/core';
import { ServerValue } from 'firebase-admin/database';
import type { Command } from '../command';
import { failed } from '../errors';

type ScopedAlert = Alert & { scope: string };

export const alerts: Command = {
  names: ['alerts'],
  summary: 'unresolved alerts (--all: resolved too); `alerts ack ID` acknowledges one',
  usage: [
    'vmpool alerts [--competition C] [--all]   alerts of the pool and every competition,',
    '                                          or of one competition (C, or "pool")',
    'vmpool alerts ack ID [--competition C]    acknowledge one alert (as --as, an admin)',
  ].join('\n'),
  options: { competition: { type: 'string' }, all: { type: 'boolean' } },
  check(_name, positionals, values) {
    const errors: string[] = [];
    const competition = values.competition;
    if (typeof competition === 'string') {
      try {
        paths.alerts(competition);
      } catch (error) {
        errors.push(`--competition: ${(error as Error).message}`);
      }
    }
    if (positionals.length === 0) return errors;
    if (positionals[0] !== 'ack') errors.push(`unknown alerts subcommand "${positionals[0]}"`);
    else if (positionals.length !== 2) errors.push('alerts ack takes one alert id');
    else {
      try {
        paths.alert(POOL_ALERT_SCOPE, positionals[1]!);
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
    return errors;
  },
  async run(ctx, _name, positionals, values) {
    const uid = positionals[0] === 'ack' ? await ctx.actorUid('admin') : null;
    const db = await ctx.db();
    const scope = typeof values.competition === 'string' ? values.competition : null;
    const raw = ((
      await db.ref(scope === null ? paths.allAlerts() : paths.alerts(scope)).get()
    ).val() ?? {}) as Record<string, unknown>;
    const scopes: Record<string, unknown> = scope === null ? raw : { [scope]: raw };
    const found: ScopedAlert[] = [];
    let invalid = 0;
    for (const [scopeId, nodes] of Object.entries(scopes)) {
      if (typeof nodes !== 'object' || nodes === null) continue;
      for (const [alertId, node] of Object.entries(nodes as Record<string, unknown>)) {
        const parsed = parseAlert(node);
        if (parsed.ok) found.push({ ...parsed.value, id: alertId, scope: scopeId });
        else invalid += 1;
      }
    }

    if (positionals[0] === 'ack') {
      const id = positionals[1]!;
      const matches = found.filter((alert) => alert.id === id);
      if (matches.length === 0)
        throw failed(`no alert ${id}${scope === null ? '' : ` in ${scope}`}`);
      if (matches.length > 1)
        throw failed(
          `alert ${id} is in ${matches.map((m) => m.scope).join(' and ')}: say which with --competition`,
        );
      const alert = matches[0]!;
      await db.ref(paths.alert(alert.scope, id)).update({
        acknowledged: true,
        acknowledgedBy: uid,
        acknowledgedAt: ServerValue.TIMESTAMP,
      });
      ctx.out.result({ acknowledged: id, scope: alert.scope, by: uid });
      ctx.out.line(`acknowledged ${id} (${alert.scope}: ${alert.title})`);
      return 0;
    }

    const shown = found
      .filter((alert) => values.all === true || !alert.resolved)
      .sort((a, b) => b.timestamp - a.timestamp);
    ctx.out.result({ alerts: shown, invalid });
    if (shown.length === 0)
      ctx.out.line(values.all === true ? 'no alerts' : 'no unresolved alerts');
    for (const alert of shown) {
      const flags = [alert.acknowledged ? 'acked' : '', alert.resolved ? 'resolved' : '']
        .filter(Boolean)
        .join(',');
      ctx.out.line(
        `${new Date(alert.timestamp).toISOString()}  ${alert.level.padEnd(8)} ${alert.scope}  ${alert.id}  ${alert.title}` +
          (alert.vmId ? ` [${alert.vmId}]` : '') +
          (flags ? ` (${flags})` : ''),
      );
      if (alert.message) ctx.out.line(`    ${alert.message}`);
    }
    if (invalid > 0) ctx.out.line(`${invalid} alert node(s) did not match the contract`);
    return 0;
  },
};
