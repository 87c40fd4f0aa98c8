// vmctl: the service manager of a local "VM". In local mode the command catalogue's systemctl
// argv and the AMI's two wrappers (ami/bin/vmpool-logs, ami/bin/vmpool-archive) run through
// this program, which acts on real local state: the stand-in show server (OBS restarts, server
// restarts), the VM directory's units file, logs and recordings. The wrappers take the same
// arguments and refuse the same ones as on the AMI. Usage:
//   vmctl --vm-dir DIR --show-server URL systemctl start|stop|restart|is-active|status UNIT…
//   vmctl --vm-dir DIR --show-server URL vmpool-logs UNIT LINES
//   vmctl --vm-dir DIR --show-server URL vmpool-archive BUCKET COMPETITION_ID
import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LOG_UNITS, PRODUCTION_COMMAND_ENV, RECORDINGS_PREFIX, type LogUnit } from '@vmpool/core';
import { ensureVmDir, journal, LOCAL_UNITS, readUnits, vmDirLayout, writeUnits } from './vm-dir';

export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

interface Context {
  vmDir: string;
  showServer: string;
}

function unitName(raw: string): string {
  const unit = raw.endsWith('.service') ? raw : `${raw}.service`;
  if (!LOCAL_UNITS.includes(unit)) throw new UsageError(`Unit ${unit} not found.`, 5);
  return unit;
}

async function post(ctx: Context, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${ctx.showServer}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok && response.status !== 202)
    throw new Error(`show server answered ${response.status} to ${path}`);
}

async function waitForShowServer(ctx: Context, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  // Give the server a moment to go down before polling for it to come back.
  await new Promise((resolve) => setTimeout(resolve, 200));
  while (Date.now() < until) {
    try {
      const response = await fetch(`${ctx.showServer}/api/status`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (response.ok) return;
    } catch {
      // still down
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`show server did not come back within ${timeoutMs / 1000} s`);
}

async function setUnit(ctx: Context, unit: string, state: string): Promise<void> {
  const units = (await readUnits(ctx.vmDir)) ?? {};
  units[unit] = state;
  await writeUnits(ctx.vmDir, units);
}

async function systemctl(ctx: Context, args: string[]): Promise<number> {
  const [verb, ...rawUnits] = args;
  if (!verb) throw new UsageError('systemctl: missing verb');
  const units = rawUnits.filter((arg) => !arg.startsWith('-')).map(unitName);
  if (units.length === 0 && verb !== 'status')
    throw new UsageError(`systemctl ${verb}: missing unit`);
  switch (verb) {
    case 'start':
    case 'stop':
    case 'restart':
      for (const unit of units) await changeUnit(ctx, verb, unit);
      return 0;
    case 'is-active':
    case 'status': {
      const states = (await readUnits(ctx.vmDir)) ?? {};
      const shown = units.length > 0 ? units : LOCAL_UNITS;
      let allActive = true;
      for (const unit of shown) {
        const state = states[unit] ?? 'inactive';
        allActive &&= state === 'active';
        console.log(verb === 'is-active' ? state : `● ${unit} - ${state}`);
      }
      return allActive ? 0 : 3;
    }
    default:
      throw new UsageError(`systemctl: unknown verb ${verb}`);
  }
}

async function changeUnit(
  ctx: Context,
  verb: 'start' | 'stop' | 'restart',
  unit: string,
): Promise<void> {
  await journal(ctx.vmDir, unit, `${verb} requested`);
  if (verb !== 'start') await setUnit(ctx, unit, 'deactivating');
  if (unit === 'obs-headless.service') {
    if (verb === 'restart') await post(ctx, '/__control/obs/restart');
    else await post(ctx, '/__control/obs', { connected: verb === 'start' });
  } else if (unit === 'show-server.service') {
    if (verb === 'stop')
      throw new UsageError('stopping the show server is not supported on a local VM', 1);
    if (verb === 'restart') await post(ctx, '/__control/restart');
    await waitForShowServer(ctx, 20_000);
  } else {
    // Units without a local counterpart process (nimble, xvfb) change state only.
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const final = verb === 'stop' ? 'inactive' : 'active';
  await setUnit(ctx, unit, final);
  await journal(ctx.vmDir, unit, `${verb === 'stop' ? 'Stopped' : 'Started'} ${unit}`);
  console.log(`${unit}: ${final}`);
}

/** The last `lines` lines of a unit's journal (the VM directory's log file). */
async function journalTail(ctx: Context, unit: string, lines: number): Promise<number> {
  const name = unitName(unit).replace(/\.service$/, '');
  let text = '';
  try {
    text = await readFile(join(vmDirLayout(ctx.vmDir).logs, `${name}.log`), 'utf8');
  } catch {
    console.log('-- No entries --');
    return 0;
  }
  const tail = text.trimEnd().split('\n').slice(-lines);
  console.log(tail.join('\n'));
  return 0;
}

/** Stands in for ami/bin/vmpool-logs: `UNIT LINES`, a logical unit and 1..500, nothing else. */
async function vmpoolLogs(ctx: Context, args: string[]): Promise<number> {
  if (args.length !== 2)
    throw new UsageError(`vmpool-logs: expected 2 arguments, got ${args.length}`, 64);
  const [unit = '', lines = ''] = args;
  if (!(LOG_UNITS as readonly string[]).includes(unit))
    throw new UsageError(
      "vmpool-logs: unknown unit (not one of the catalogue's logical units)",
      64,
    );
  if (!/^[1-9][0-9]{0,2}$/.test(lines) || Number(lines) > 500)
    throw new UsageError('vmpool-logs: LINES must be an integer from 1 to 500', 64);
  return journalTail(ctx, PRODUCTION_COMMAND_ENV.units[unit as LogUnit], Number(lines));
}

/**
 * Stands in for ami/bin/vmpool-archive (`BUCKET COMPETITION_ID`, the AMI's `aws s3 sync` of the
 * *.mp4 and *.mkv recordings): copies them into `<vmDir>/archive/BUCKET/COMPETITION_ID/`.
 */
async function vmpoolArchive(ctx: Context, args: string[]): Promise<number> {
  if (args.length !== 2)
    throw new UsageError(`vmpool-archive: expected 2 arguments, got ${args.length}`, 64);
  const [bucket = '', competitionId = ''] = args;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new UsageError('vmpool-archive: BUCKET is not an S3 bucket name', 64);
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(competitionId))
    throw new UsageError('vmpool-archive: COMPETITION_ID is not a competition id', 64);
  const layout = vmDirLayout(ctx.vmDir);
  const includes = ['*.mp4', '*.mkv'].map(globToRegExp);
  const destination = join(layout.archive, bucket, RECORDINGS_PREFIX, competitionId);
  const files = (await readdir(layout.recordings, { withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .filter((name) => includes.some((pattern) => pattern.test(name)));
  await mkdir(destination, { recursive: true });
  for (const file of files) {
    // As `aws s3 sync`: a file already archived with the same size is skipped, so a repeated
    // archive (after an interrupted one) copies only what is missing.
    const source = await stat(join(layout.recordings, file));
    const archived = await stat(join(destination, file)).catch(() => null);
    if (archived !== null && archived.size === source.size) continue;
    await copyFile(join(layout.recordings, file), join(destination, file));
    console.log(
      `upload: ${join(layout.recordings, file)} to s3://${bucket}/${RECORDINGS_PREFIX}/${competitionId}/${file}`,
    );
  }
  return 0;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

export async function vmctl(argv: readonly string[]): Promise<number> {
  const args = [...argv];
  const take = (flag: string): string => {
    const index = args.indexOf(flag);
    const value = index >= 0 ? args[index + 1] : undefined;
    if (index < 0 || value === undefined) throw new UsageError(`vmctl: ${flag} is required`);
    args.splice(index, 2);
    return value;
  };
  const ctx: Context = {
    vmDir: take('--vm-dir'),
    showServer: take('--show-server').replace(/\/+$/, ''),
  };
  await ensureVmDir(ctx.vmDir);
  const [tool, ...rest] = args;
  if (tool === 'systemctl') return systemctl(ctx, rest);
  if (tool === 'vmpool-logs') return vmpoolLogs(ctx, rest);
  if (tool === 'vmpool-archive') return vmpoolArchive(ctx, rest);
  throw new UsageError(
    `vmctl: unknown tool ${tool ?? '(none)'}; expected systemctl, vmpool-logs or vmpool-archive`,
  );
}
