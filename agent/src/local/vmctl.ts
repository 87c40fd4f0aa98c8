// vmctl: the service manager of a local "VM". In local mode the command catalogue's
// systemctl/journalctl argv runs through this program, which acts on real local state: the
// stand-in show server (OBS restarts, server restarts), the VM directory's units file, logs
// and recordings. Usage:
//   vmctl --vm-dir DIR --show-server URL systemctl start|stop|restart|is-active|status UNIT…
//   vmctl --vm-dir DIR --show-server URL journalctl -u UNIT [-n LINES] [--no-pager]
//   vmctl --vm-dir DIR --show-server URL s3-sync [--exclude P] [--include P]… DIR s3://BUCKET/KEY/
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
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

async function journalctl(ctx: Context, args: string[]): Promise<number> {
  let unit: string | undefined;
  let lines = 50;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-u' || arg === '--unit') unit = args[++i];
    else if (arg === '-n' || arg === '--lines') lines = Number(args[++i]);
    else if (arg?.startsWith('--lines=')) lines = Number(arg.slice(8));
    else if (arg === '--no-pager' || arg === '-q' || arg === '--quiet') continue;
    else if (arg === '-o' || arg === '--output') i++;
    else throw new UsageError(`journalctl: unknown argument ${arg ?? ''}`);
  }
  if (!unit) throw new UsageError('journalctl: -u UNIT is required');
  if (!Number.isInteger(lines) || lines < 1 || lines > 10_000)
    throw new UsageError('journalctl: -n must be 1..10000');
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

/**
 * Stands in for `aws s3 sync [--only-show-errors] [--exclude P] [--include P]… SRC s3://BUCKET/KEY/`:
 * copies the matching files into `<vmDir>/archive/BUCKET/KEY/`.
 */
async function s3Sync(ctx: Context, args: string[]): Promise<number> {
  const includes: RegExp[] = [];
  let excludeAll = false;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--only-show-errors') continue;
    if (arg === '--exclude') {
      const pattern = args[++i];
      if (pattern !== '*')
        throw new UsageError(`s3-sync: only --exclude '*' is supported, got ${pattern ?? ''}`);
      excludeAll = true;
    } else if (arg === '--include') includes.push(globToRegExp(args[++i] ?? ''));
    else if (arg.startsWith('--')) throw new UsageError(`s3-sync: unknown option ${arg}`);
    else positional.push(arg);
  }
  const [source, target] = positional;
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/([A-Za-z0-9_/-]*)$/.exec(target ?? '');
  if (!source || !match)
    throw new UsageError('s3-sync: usage: s3-sync [options] SOURCE_DIR s3://BUCKET/KEY/');
  const destination = join(vmDirLayout(ctx.vmDir).archive, match[1] ?? '', match[2] ?? '');
  const files = (await readdir(source, { withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .filter((name) => !excludeAll || includes.some((pattern) => pattern.test(name)));
  await mkdir(destination, { recursive: true });
  for (const file of files) {
    await copyFile(join(source, file), join(destination, file));
    console.log(`upload: ${join(source, file)} to ${target ?? ''}${file}`);
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
  if (tool === 'journalctl') return journalctl(ctx, rest);
  if (tool === 's3-sync') return s3Sync(ctx, rest);
  throw new UsageError(
    `vmctl: unknown tool ${tool ?? '(none)'}; expected systemctl, journalctl or s3-sync`,
  );
}
