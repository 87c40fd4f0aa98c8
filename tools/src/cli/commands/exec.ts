// `vmpool exec VM OP [KEY=VALUE…]` and `vmpool logs VM UNIT`: a command row at
// `vmPool/commands/{vmId}/{pushId}` as the web app queues it (args checked by core's
// validator, `requestedBy` the `--as` admin), then its status and output live until final.
import {
  COMMAND_OPS,
  isFinalCommandStatus,
  LOG_UNITS,
  mayQueueCommand,
  parseCommandArgs,
  parseVmCommand,
  paths,
  VIEW_LOGS_LINES,
  VM_ID_PATTERN,
  type CommandOp,
  type VmCommand,
} from '@vmpool/core';
import { ServerValue } from 'firebase-admin/database';
import type { Command } from '../command';
import type { Context } from '../context';
import { EXIT, failed, unreachable } from '../errors';
import { follow } from '../follow';

const DEFAULT_WAIT_SECONDS = 600;

function parseKeyValues(pairs: string[]): { args: Record<string, unknown>; errors: string[] } {
  const args: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      errors.push(`arguments are KEY=VALUE, got "${pair}"`);
      continue;
    }
    const value = pair.slice(at + 1);
    args[pair.slice(0, at)] = /^-?\d+(\.\d+)?$/.test(value)
      ? Number(value)
      : value === 'true' || value === 'false'
        ? value === 'true'
        : value;
  }
  return { args, errors };
}

function waitErrors(values: Record<string, unknown>): string[] {
  if (typeof values.wait !== 'string') return [];
  return /^\d+$/.test(values.wait) && Number(values.wait) >= 1
    ? []
    : [`--wait must be a whole number of seconds, got "${values.wait}"`];
}

async function runCommand(
  ctx: Context,
  vmId: string,
  op: CommandOp,
  args: Record<string, unknown>,
  values: Record<string, unknown>,
): Promise<number> {
  const uid = await ctx.actorUid('admin');
  const db = await ctx.db();
  if (!(await db.ref(paths.vm(vmId)).get()).exists()) throw failed(`no VM ${vmId}`);
  const commandId = db.ref(paths.vmCommands(vmId)).push().key!;
  await db.ref(paths.command(vmId, commandId)).set({
    op,
    ...(Object.keys(args).length === 0 ? {} : { args }),
    requestedBy: uid,
    requestedAt: ServerValue.TIMESTAMP,
  });
  ctx.out.line(`command ${commandId}: ${op} on ${vmId}`);
  if (values['no-wait'] === true) {
    ctx.out.result({ vmId, commandId, command: null });
    return EXIT.ok;
  }
  const seconds = typeof values.wait === 'string' ? Number(values.wait) : DEFAULT_WAIT_SECONDS;
  let status = '';
  let printed = { stdout: 0, stderr: 0 };
  const outcome = await follow<VmCommand>(
    db,
    paths.command(vmId, commandId),
    (raw) => {
      const parsed = parseVmCommand(raw);
      return parsed.ok ? parsed.value : null;
    },
    (command) => isFinalCommandStatus(command.status),
    (command) => {
      // Output grows while the command runs: print what is new.
      const stdout = command.output?.stdout ?? '';
      const stderr = command.output?.stderr ?? '';
      if (stdout.length < printed.stdout || stderr.length < printed.stderr)
        printed = { stdout: 0, stderr: 0 };
      if (stdout.length > printed.stdout)
        ctx.out.line(stdout.slice(printed.stdout).replace(/\n$/, ''));
      if (stderr.length > printed.stderr)
        ctx.out.line(stderr.slice(printed.stderr).replace(/\n$/, '').replace(/^/gm, 'stderr: '));
      printed = { stdout: stdout.length, stderr: stderr.length };
      if (command.status !== status) {
        status = command.status;
        ctx.out.line(`[${status}]`);
      }
    },
    seconds * 1000,
  );
  if (!outcome.final) {
    if (outcome.last === null || outcome.last.status === 'queued')
      throw unreachable(
        `the agent on ${vmId} did not claim command ${commandId} within ${seconds} s`,
      );
    throw failed(`command ${commandId} did not finish within ${seconds} s`);
  }
  const command = outcome.value;
  ctx.out.result({ vmId, commandId, command });
  const tail = [
    command.exitCode === null ? '' : `exit ${command.exitCode}`,
    command.durationMs === null ? '' : `${(command.durationMs / 1000).toFixed(1)} s`,
    command.output?.truncated ? 'output truncated' : '',
    command.reason ?? '',
  ].filter(Boolean);
  ctx.out.line(`${command.status}${tail.length > 0 ? ` (${tail.join(', ')})` : ''}`);
  return command.status === 'succeeded' ? EXIT.ok : EXIT.failed;
}

const WAIT_OPTIONS = { 'no-wait': { type: 'boolean' }, wait: { type: 'string' } } as const;

export const exec: Command = {
  names: ['exec'],
  summary: 'run a command on a VM (OP from the catalogue, KEY=VALUE args), output live',
  usage: [
    'vmpool exec VM OP [KEY=VALUE…] [--no-wait] [--wait SECONDS]',
    `  OP: ${COMMAND_OPS.join(', ')}`,
    '  e.g. vmpool exec vm-001 view_logs unit=obs lines=100',
    'Queued as --as (an admin); exit 0 when it succeeded, 1 otherwise (failed, timed_out,',
    'rejected, expired), 3 when the agent never claimed it.',
  ].join('\n'),
  options: WAIT_OPTIONS,
  check(_name, positionals, values) {
    const [vmId, op, ...pairs] = positionals;
    const errors = waitErrors(values);
    if (vmId === undefined || op === undefined) return [...errors, 'exec needs a VM and an OP'];
    if (!VM_ID_PATTERN.test(vmId)) errors.push(`VM must be a VM id such as vm-001, got "${vmId}"`);
    if (!(COMMAND_OPS as readonly string[]).includes(op))
      return [...errors, `unknown OP "${op}": one of ${COMMAND_OPS.join(', ')}`];
    if (!mayQueueCommand(op as CommandOp, 'admin'))
      errors.push(`${op} is queued by the control plane only`);
    const parsed = parseKeyValues(pairs);
    errors.push(...parsed.errors);
    const checked = parseCommandArgs(op as CommandOp, parsed.args);
    if (!checked.ok) errors.push(...checked.errors);
    return errors;
  },
  async run(ctx, _name, positionals, values) {
    const [vmId, op, ...pairs] = positionals as [string, CommandOp, ...string[]];
    const checked = parseCommandArgs(op, parseKeyValues(pairs).args);
    if (!checked.ok) throw failed(checked.errors.join('; '));
    return runCommand(ctx, vmId, op, checked.value as Record<string, unknown>, values);
  },
};

export const logs: Command = {
  names: ['logs'],
  summary: 'the last lines of a unit on a VM (view_logs)',
  usage: [
    `vmpool logs VM UNIT [--lines N]   UNIT: ${LOG_UNITS.join(', ')}; N ${VIEW_LOGS_LINES.min}..${VIEW_LOGS_LINES.max} (default ${VIEW_LOGS_LINES.default})`,
    '  [--no-wait] [--wait SECONDS] as for exec',
  ].join('\n'),
  options: { lines: { type: 'string', short: 'n' }, ...WAIT_OPTIONS },
  check(_name, positionals, values) {
    const errors = waitErrors(values);
    if (positionals.length !== 2) return [...errors, 'logs needs a VM and a UNIT'];
    const [vmId, unit] = positionals as [string, string];
    if (!VM_ID_PATTERN.test(vmId)) errors.push(`VM must be a VM id such as vm-001, got "${vmId}"`);
    const lines = typeof values.lines === 'string' ? Number(values.lines) : undefined;
    if (typeof values.lines === 'string' && !/^\d+$/.test(values.lines))
      errors.push(`--lines must be a whole number, got "${values.lines}"`);
    else {
      const checked = parseCommandArgs('view_logs', {
        unit,
        ...(lines === undefined ? {} : { lines }),
      });
      if (!checked.ok) errors.push(...checked.errors);
    }
    return errors;
  },
  async run(ctx, _name, positionals, values) {
    const [vmId, unit] = positionals as [string, string];
    const lines = typeof values.lines === 'string' ? Number(values.lines) : undefined;
    const checked = parseCommandArgs('view_logs', {
      unit,
      ...(lines === undefined ? {} : { lines }),
    });
    if (!checked.ok) throw failed(checked.errors.join('; '));
    return runCommand(ctx, vmId, 'view_logs', checked.value, values);
  },
};
