// `vmpool assign|release COMPETITION` and `vmpool start|stop|reboot|terminate|recover VM`, `vmpool
// launch`: the same `vmPool/requests/{pushId}` rows the web app writes (checked by core's
// request validator, `requestedBy` the `--as` user, `requestedAt` the server's time), then the
// control plane's progress steps live until the result is final.
import {
  COMPETITION_ID_PATTERN,
  isFinalResult,
  parsePoolRequest,
  parseRequestResult,
  paths,
  VM_ID_PATTERN,
  type RequestResult,
} from '@vmpool/core';
import { ServerValue } from 'firebase-admin/database';
import type { Command } from '../command';
import { EXIT, failed, unreachable } from '../errors';
import { follow } from '../follow';

const COMPETITION_ACTIONS = ['assign', 'release'] as const;
const VM_ACTIONS = ['start', 'stop', 'reboot', 'terminate', 'recover'] as const;
const DEFAULT_WAIT_SECONDS = 900;

function options(name: string, values: Record<string, unknown>): Record<string, unknown> {
  const pick = (entries: [string, unknown][]) =>
    Object.fromEntries(entries.filter(([, value]) => value !== undefined));
  if (name === 'assign')
    return pick([
      ['preferredVmId', values.vm],
      ['region', values.region],
      ['capability', values.capability],
    ]);
  if (name === 'release')
    return pick([
      ['stopVM', values['stop-vm'] === true ? true : undefined],
      ['archiveRecordings', values.archive === true ? true : undefined],
    ]);
  if (name === 'launch')
    return pick([
      ['instanceType', values['instance-type']],
      ['region', values.region],
    ]);
  return {};
}

function draft(name: string, positionals: string[], values: Record<string, unknown>) {
  const target = positionals[0];
  return {
    action: name,
    ...((COMPETITION_ACTIONS as readonly string[]).includes(name) ? { competitionId: target } : {}),
    ...((VM_ACTIONS as readonly string[]).includes(name) ? { vmId: target } : {}),
    options: options(name, values),
  };
}

function stepLine(result: RequestResult): string {
  const pct = `${Math.round(result.progress * 100)}%`.padStart(4);
  const eta =
    result.estimatedReadyAt !== undefined && result.state === 'running'
      ? ` (ready about ${new Date(result.estimatedReadyAt).toISOString().slice(11, 19)} UTC)`
      : '';
  return `[${pct}] ${result.state.padEnd(9)} ${result.step}: ${result.message}${eta}`;
}

export const requests: Command = {
  names: [...COMPETITION_ACTIONS, ...VM_ACTIONS, 'launch'],
  summary: 'assign|release COMPETITION, start|stop|reboot|terminate|recover VM, launch: live steps',
  usage: [
    'vmpool assign COMPETITION [--vm VM] [--region R] [--capability TAG]',
    'vmpool release COMPETITION [--stop-vm] [--archive]',
    "vmpool start|stop|reboot|terminate|recover VM   (recover: a VM in error, as the web app's Recover)",
    'vmpool launch [--instance-type T] [--region R]',
    '  --no-wait         print the request id and return once it is written',
    `  --wait SECONDS    give up following after this long (default ${DEFAULT_WAIT_SECONDS}); exit 1,`,
    '                    or 3 when the control plane never picked the request up',
    'Requests are written as --as (an admin, or for assign/release a producer of it); the',
    'exit code is 0 when the request succeeded, 1 when it failed.',
  ].join('\n'),
  options: {
    vm: { type: 'string' },
    region: { type: 'string' },
    capability: { type: 'string' },
    'stop-vm': { type: 'boolean' },
    archive: { type: 'boolean' },
    'instance-type': { type: 'string' },
    'no-wait': { type: 'boolean' },
    wait: { type: 'string' },
  },
  check(name, positionals, values) {
    const errors: string[] = [];
    const byCompetition = (COMPETITION_ACTIONS as readonly string[]).includes(name);
    const byVm = (VM_ACTIONS as readonly string[]).includes(name);
    const wanted = byCompetition || byVm ? 1 : 0;
    if (positionals.length !== wanted)
      errors.push(
        wanted === 0
          ? `${name} takes no arguments`
          : `${name} takes one ${byCompetition ? 'COMPETITION' : 'VM'}`,
      );
    else if (byCompetition && !COMPETITION_ID_PATTERN.test(positionals[0]!))
      errors.push(`COMPETITION must be 1..128 letters, digits, _ or -, got "${positionals[0]}"`);
    else if (byVm && !VM_ID_PATTERN.test(positionals[0]!))
      errors.push(`VM must be a VM id such as vm-001, got "${positionals[0]}"`);
    const allowed: Record<string, readonly string[]> = {
      assign: ['vm', 'region', 'capability'],
      release: ['stop-vm', 'archive'],
      launch: ['instance-type', 'region'],
    };
    for (const key of ['vm', 'region', 'capability', 'stop-vm', 'archive', 'instance-type'])
      if (values[key] !== undefined && !(allowed[name] ?? []).includes(key))
        errors.push(`--${key} does not apply to ${name}`);
    if (typeof values.wait === 'string') {
      const seconds = Number(values.wait);
      if (!/^\d+$/.test(values.wait) || seconds < 1)
        errors.push(`--wait must be a whole number of seconds, got "${values.wait}"`);
    }
    if (errors.length === 0) {
      const checked = parsePoolRequest({
        ...draft(name, positionals, values),
        requestedBy: 'cli',
        requestedAt: 0,
      });
      if (!checked.ok) errors.push(...checked.errors);
    }
    return errors;
  },
  async run(ctx, name, positionals, values) {
    const uid = await ctx.actorUid(
      (COMPETITION_ACTIONS as readonly string[]).includes(name) ? 'any' : 'admin',
    );
    const db = await ctx.db();
    const checked = parsePoolRequest({
      ...draft(name, positionals, values),
      requestedBy: uid,
      requestedAt: 0,
    });
    if (!checked.ok) throw failed(`invalid ${name} request: ${checked.errors.join('; ')}`);
    const requestId = db.ref(paths.requests()).push().key!;
    await db
      .ref(paths.request(requestId))
      .set({ ...checked.value, requestedBy: uid, requestedAt: ServerValue.TIMESTAMP });
    ctx.out.line(`request ${requestId}: ${name} ${positionals.join(' ')}`.trimEnd());
    if (values['no-wait'] === true) {
      ctx.out.result({ requestId, result: null });
      return EXIT.ok;
    }

    const seconds = typeof values.wait === 'string' ? Number(values.wait) : DEFAULT_WAIT_SECONDS;
    let shown = '';
    const outcome = await follow(
      db,
      paths.requestResult(requestId),
      (raw) => {
        if (raw === null) return null;
        const parsed = parseRequestResult(raw);
        return parsed.ok ? parsed.value : null;
      },
      (result) => isFinalResult(result),
      (result) => {
        for (const step of result.steps ?? []) {
          const line = `  step ${step.name}: ${step.state}`;
          if (!shown.includes(`${line}\n`)) {
            shown += `${line}\n`;
            ctx.out.line(line);
          }
        }
        const line = stepLine(result);
        if (!shown.endsWith(`${line}\n`)) {
          shown += `${line}\n`;
          ctx.out.line(line);
        }
      },
      seconds * 1000,
    );
    if (!outcome.final) {
      if (outcome.last === null)
        throw unreachable(
          `the control plane did not pick request ${requestId} up within ${seconds} s (is it running?)`,
        );
      throw failed(`request ${requestId} was not finished within ${seconds} s`);
    }
    const result = outcome.value;
    ctx.out.result({ requestId, result });
    if (result.state === 'succeeded') {
      ctx.out.line(
        `succeeded${result.vmId ? `: ${result.vmId}` : ''}${result.vmAddress ? ` at ${result.vmAddress}` : ''}`,
      );
      return EXIT.ok;
    }
    ctx.out.line(
      `failed: ${result.error ? `${result.error.code}: ${result.error.message}` : result.message}`,
    );
    return EXIT.failed;
  },
};
