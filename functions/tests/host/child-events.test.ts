// The local host delivers command statuses and alerts from each child's own events: a change of
// one command or alert is delivered once, with nothing for changes that do not concern it
// (a command's output streaming in), however many siblings it has.
import { describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { useFunctionsHost } from '../support/functions-host';
import { QUIET_POOL } from '../support/pool';
import { waitFor } from '../support/wait';

const env = useFunctionsHost({ config: QUIET_POOL });
const COMMANDS = 25;

/** Waits until the host invoked `trigger` `count` times, then says how often it did. */
async function invokedTimes(trigger: string, count: number): Promise<number> {
  await waitFor(
    async () => ((env.host.invocations()[trigger] ?? 0) >= count ? true : undefined),
    `${count} ${trigger} invocations`,
  );
  await env.host.idle();
  return env.host.invocations()[trigger] ?? 0;
}

const command = (n: number, status: string) => ({
  op: 'check_services',
  args: {},
  requestedBy: 'admin-1',
  requestedAt: 1_800_000_000_000 + n,
  status,
});

describe('the host reacts to each command and alert (child events)', () => {
  it('delivers each command status change once, and nothing for a change of its output', async () => {
    const db = env.admin.db;
    const base = env.host.invocations().onCommandStatusWritten ?? 0;
    const commands = Object.fromEntries(
      Array.from({ length: COMMANDS }, (_, n) => [`cmd-${n}`, command(n, 'queued')]),
    );
    await db.ref(paths.vmCommands('vm-900')).set(commands);
    expect(await invokedTimes('onCommandStatusWritten', base + COMMANDS)).toBe(base + COMMANDS);

    // Output streams into one command (its status unchanged), then another one runs: only the
    // status change is delivered (the events of one writer arrive in order).
    await db.ref(`${paths.command('vm-900', 'cmd-3')}/output`).set('line 1\n');
    await db.ref(`${paths.command('vm-900', 'cmd-3')}/output`).set('line 1\nline 2\n');
    await db.ref(`${paths.command('vm-900', 'cmd-7')}/status`).set('running');
    expect(await invokedTimes('onCommandStatusWritten', base + COMMANDS + 1)).toBe(
      base + COMMANDS + 1,
    );

    // A second VM's commands are picked up; the first VM's removed and queued again: once each.
    await db.ref(paths.vmCommands('vm-901')).set({ 'cmd-0': command(0, 'queued') });
    await db.ref(paths.vmCommands('vm-900')).remove();
    await db.ref(paths.vmCommands('vm-900')).set({ 'cmd-x': command(1, 'queued') });
    expect(await invokedTimes('onCommandStatusWritten', base + COMMANDS + 3)).toBe(
      base + COMMANDS + 3,
    );
  });

  it('delivers each alert change once, per scope', async () => {
    const db = env.admin.db;
    const base = env.host.invocations().onAlertWritten ?? 0;
    const alert = (n: number) => ({
      level: 'warning',
      category: 'vm',
      title: `alert ${n}`,
      message: 'm',
      timestamp: 1_800_000_000_000 + n,
      createdAt: 1_800_000_000_000 + n,
      acknowledged: false,
      resolved: false,
      autoResolve: true,
      sourceId: `test-${n}`,
    });
    const alerts = Object.fromEntries(Array.from({ length: 10 }, (_, n) => [`a${n}`, alert(n)]));
    await db.ref('alerts/meet-900').set(alerts);
    expect(await invokedTimes('onAlertWritten', base + 10)).toBe(base + 10);
    await db.ref('alerts/meet-900/a4/acknowledged').set(true);
    await db.ref('alerts/meet-901/a0').set(alert(0));
    expect(await invokedTimes('onAlertWritten', base + 12)).toBe(base + 12);
    // The same value written again is no change.
    await db.ref('alerts/meet-900/a4/acknowledged').set(true);
    await db.ref('alerts/meet-900/a5/resolved').set(true);
    expect(await invokedTimes('onAlertWritten', base + 13)).toBe(base + 13);
  });
});
