import {
  COMMAND_OPS,
  parseCommandArgs,
  type CommandArgs,
  type CommandOp,
  type LogUnit,
  type VmCommand,
} from '../contract/command';
import { RECORDINGS_PREFIX } from '../contract/aws';
import { fail, ok, type Parsed } from '../contract/parsed';

/** Who may queue a command: admins from the web app, or the control plane (e.g. on release). */
export type CommandRole = 'admin' | 'control_plane';

/**
 * Everything machine-specific a command needs. Commands never go through a shell: each step
 * is an argv list, and these values are fixed by the machine, never taken from a request.
 */
export interface CommandEnv {
  /** argv prefix for systemctl (as root), e.g. ['/usr/bin/sudo', '-n', '/usr/bin/systemctl']. */
  systemctl: string[];
  /**
   * argv prefix of the log reader, called as `<prefix> <unit> <lines>` with a logical unit
   * (`LOG_UNITS`) and a line count 1..500. On the AMI this is the root-owned `vmpool-logs`
   * wrapper (ami/bin/vmpool-logs), which validates both and runs journalctl with a fixed argv.
   */
  logs: string[];
  /** argv prefixes of the programs that change the show server's files (as the show's user). */
  git: string[];
  npm: string[];
  find: string[];
  cp: string[];
  units: Record<LogUnit, string>;
  dirs: {
    /** The gymnastics-graphics checkout that `update_code` pulls. */
    showServerRepo: string;
    /** Where the show server's package.json lives (npm install runs there). */
    showServerPackage: string;
    recordings: string;
    obsConfig: string;
    obsTemplate: string;
  };
  archive: {
    /**
     * argv prefix that copies the recordings to S3, called as `<prefix> <bucket>
     * <competitionId>`; on the AMI the `vmpool-archive` wrapper (ami/bin/vmpool-archive).
     */
    argv: string[];
    /** Empty when archiving is not configured: `archive_recordings` is then refused. */
    bucket: string;
  };
}

/** Where the AMI installs its root-owned wrappers (ami/bin/), mode 0755. */
export const AMI_WRAPPER_DIR = '/usr/local/lib/vmpool';
/** The user that runs the show server and OBS on the AMI and owns their files. */
export const AMI_SHOW_USER = 'ubuntu';
/** The user the agent runs as on the AMI: no login, no files of the show, its own state. */
export const AMI_AGENT_USER = 'vmpool-agent';

const SUDO = ['/usr/bin/sudo', '-n'];
const AS_SHOW_USER = [...SUDO, '-u', AMI_SHOW_USER];

/**
 * The Ubuntu AMI (ami/): services are systemd units, the show lives in /home/ubuntu. The agent
 * runs as `vmpool-agent`; every step that needs more goes through `sudo -n` with an argv that
 * ami/config/sudoers-vmpool-agent lists exactly (as root: systemctl and the log wrapper; as
 * ubuntu: git, npm, cp, find and the archive wrapper). Programs are named by absolute path.
 */
export const PRODUCTION_COMMAND_ENV: Readonly<CommandEnv> = Object.freeze({
  systemctl: [...SUDO, '/usr/bin/systemctl'],
  logs: [...SUDO, `${AMI_WRAPPER_DIR}/vmpool-logs`],
  git: [...AS_SHOW_USER, '/usr/bin/git'],
  npm: [...AS_SHOW_USER, '/usr/bin/npm'],
  find: [...AS_SHOW_USER, '/usr/bin/find'],
  cp: [...AS_SHOW_USER, '/usr/bin/cp'],
  units: {
    showServer: 'show-server',
    obs: 'obs-headless',
    nimble: 'nimble',
    xvfb: 'xvfb',
    agent: 'vmpool-agent',
  },
  dirs: {
    showServerRepo: '/home/ubuntu/gymnastics-graphics',
    showServerPackage: '/home/ubuntu/gymnastics-graphics/server',
    recordings: '/home/ubuntu/recordings',
    obsConfig: '/home/ubuntu/.config/obs-studio',
    obsTemplate: '/home/ubuntu/obs-config-template',
  },
  archive: {
    argv: [...AS_SHOW_USER, `${AMI_WRAPPER_DIR}/vmpool-archive`],
    bucket: '',
  },
});

export interface CommandSpec<Op extends CommandOp = CommandOp> {
  op: Op;
  title: string;
  description: string;
  /** Wall-clock limit for all steps together; the agent kills the process group after it. */
  timeoutMs: number;
  /** A queued command older than this is expired, not run (e.g. after an agent outage). */
  ttlMs: number;
  roles: readonly CommandRole[];
  /** True when running it interrupts a live show (restarts OBS, the show server, …). */
  disruptsShow: boolean;
  /**
   * True when running it again after a run that was interrupted or failed leaves the VM as one
   * successful run would (archive skips what is archived, a reset copies the same template).
   * The agent never re-runs a claimed command (at most once); the control plane may queue an
   * idempotent op again under a new command id.
   */
  idempotent: boolean;
  parseArgs(raw: unknown): Parsed<CommandArgs[Op]>;
  /**
   * True for an op the agent carries out itself rather than as argv steps (`import_state`
   * fetches an export and loads it over obs-websocket); `argv` is then empty.
   */
  inAgent?: boolean;
  /** One or more argv steps, run in order; the first failing step ends the command. */
  argv(args: CommandArgs[Op], env: CommandEnv): string[][];
  /** Problems with the machine's env that make this command impossible, if any. */
  envProblems?(env: CommandEnv): string[];
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const ADMIN: readonly CommandRole[] = ['admin'];
const ADMIN_AND_CONTROL_PLANE: readonly CommandRole[] = ['admin', 'control_plane'];

type ServiceOp =
  'start_obs' | 'stop_obs' | 'restart_obs' | 'restart_show_server' | 'restart_nimble';

function serviceCommand<Op extends ServiceOp>(
  op: Op,
  title: string,
  verb: 'start' | 'stop' | 'restart',
  unit: LogUnit,
  timeoutMs: number,
): CommandSpec<Op> {
  return {
    op,
    title,
    description: `systemctl ${verb} of the ${unit} unit`,
    timeoutMs,
    ttlMs: 5 * MINUTE,
    roles: ADMIN_AND_CONTROL_PLANE,
    disruptsShow: verb !== 'start',
    // Each restart is another interruption; a start or a stop ends where one run would.
    idempotent: verb !== 'restart',
    parseArgs: (raw) => parseCommandArgs(op, raw),
    argv: (_args, env) => [[...env.systemctl, verb, env.units[unit]]],
  };
}

const catalogue: { readonly [Op in CommandOp]: CommandSpec<Op> } = {
  start_obs: serviceCommand('start_obs', 'Start OBS', 'start', 'obs', 30 * SECOND),
  stop_obs: serviceCommand('stop_obs', 'Stop OBS', 'stop', 'obs', 15 * SECOND),
  restart_obs: serviceCommand('restart_obs', 'Restart OBS', 'restart', 'obs', 30 * SECOND),
  restart_show_server: serviceCommand(
    'restart_show_server',
    'Restart show server',
    'restart',
    'showServer',
    15 * SECOND,
  ),
  restart_nimble: serviceCommand(
    'restart_nimble',
    'Restart Nimble',
    'restart',
    'nimble',
    15 * SECOND,
  ),
  update_code: {
    op: 'update_code',
    title: 'Update show server code',
    description:
      'git pull (fast-forward only), npm install without dev dependencies, restart the show server',
    timeoutMs: 3 * MINUTE,
    ttlMs: 10 * MINUTE,
    roles: ADMIN,
    disruptsShow: true,
    // Pulling again may fetch newer code than the admin asked for.
    idempotent: false,
    parseArgs: (raw) => parseCommandArgs('update_code', raw),
    argv: (_args, env) => [
      [...env.git, '-C', env.dirs.showServerRepo, 'pull', '--ff-only'],
      [
        ...env.npm,
        'install',
        '--omit=dev',
        '--no-audit',
        '--no-fund',
        '--prefix',
        env.dirs.showServerPackage,
      ],
      [...env.systemctl, 'restart', env.units.showServer],
    ],
  },
  check_services: {
    op: 'check_services',
    title: 'Check all services',
    description:
      'systemctl status of xvfb, OBS, the show server and Nimble (fails when one is not active)',
    timeoutMs: 10 * SECOND,
    ttlMs: 2 * MINUTE,
    roles: ADMIN_AND_CONTROL_PLANE,
    disruptsShow: false,
    idempotent: true,
    parseArgs: (raw) => parseCommandArgs('check_services', raw),
    argv: (_args, env) => [
      [
        ...env.systemctl,
        'status',
        '--no-pager',
        env.units.xvfb,
        env.units.obs,
        env.units.showServer,
        env.units.nimble,
      ],
    ],
  },
  view_logs: {
    op: 'view_logs',
    title: 'View recent logs',
    description: 'The last lines (1..500, default 50) of one unit journal',
    timeoutMs: 10 * SECOND,
    ttlMs: 2 * MINUTE,
    roles: ADMIN,
    disruptsShow: false,
    idempotent: true,
    parseArgs: (raw) => parseCommandArgs('view_logs', raw),
    argv: (args, env) => [[...env.logs, args.unit, String(args.lines)]],
  },
  system_info: {
    op: 'system_info',
    title: 'System information',
    description: 'Memory, disk and load',
    timeoutMs: 10 * SECOND,
    ttlMs: 2 * MINUTE,
    roles: ADMIN_AND_CONTROL_PLANE,
    disruptsShow: false,
    idempotent: true,
    parseArgs: (raw) => parseCommandArgs('system_info', raw),
    argv: () => [['free', '-h'], ['df', '-h', '/'], ['uptime']],
  },
  clear_recordings: {
    op: 'clear_recordings',
    title: 'Clear recordings',
    description: 'Delete the .mp4 and .mkv files in the recordings directory',
    timeoutMs: 30 * SECOND,
    ttlMs: 10 * MINUTE,
    roles: ADMIN_AND_CONTROL_PLANE,
    disruptsShow: false,
    idempotent: true,
    parseArgs: (raw) => parseCommandArgs('clear_recordings', raw),
    // find instead of a shell glob: the patterns are inert argv elements.
    argv: (_args, env) => [
      [
        ...env.find,
        env.dirs.recordings,
        '-maxdepth',
        '1',
        '-type',
        'f',
        '(',
        '-name',
        '*.mp4',
        '-o',
        '-name',
        '*.mkv',
        ')',
        '-print',
        '-delete',
      ],
    ],
  },
  reset_obs_config: {
    op: 'reset_obs_config',
    title: 'Reset OBS configuration',
    description: 'Stop OBS, copy the template configuration over the current one, start OBS',
    timeoutMs: 45 * SECOND,
    ttlMs: 10 * MINUTE,
    roles: ADMIN_AND_CONTROL_PLANE,
    disruptsShow: true,
    idempotent: true,
    parseArgs: (raw) => parseCommandArgs('reset_obs_config', raw),
    // OBS rewrites its config when it exits, so it is stopped before the copy.
    argv: (_args, env) => [
      [...env.systemctl, 'stop', env.units.obs],
      [...env.cp, '-R', '--', `${env.dirs.obsTemplate}/.`, `${env.dirs.obsConfig}/`],
      [...env.systemctl, 'start', env.units.obs],
    ],
  },
  archive_recordings: {
    op: 'archive_recordings',
    title: 'Archive recordings',
    description: `Copy the recordings to S3 under ${RECORDINGS_PREFIX}/ and the competition id`,
    timeoutMs: 30 * MINUTE,
    ttlMs: 30 * MINUTE,
    roles: ADMIN_AND_CONTROL_PLANE,
    disruptsShow: false,
    // A sync: files already archived are skipped, nothing is deleted.
    idempotent: true,
    parseArgs: (raw) => parseCommandArgs('archive_recordings', raw),
    argv: (args, env) => [[...env.archive.argv, env.archive.bucket, args.competitionId]],
    envProblems: (env) =>
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(env.archive.bucket)
        ? []
        : ['archive_recordings: no valid S3 bucket is configured on this VM'],
  },
  // issue 12: state restore before a failover's hand-over
  import_state: {
    op: 'import_state',
    title: 'Import saved show state',
    description:
      'Fetch a saved export (OBS scene collection and profile) from the archive, write it where OBS reads it and switch OBS to it',
    // A failover's hand-over waits for it at most RESTORE_WAIT_MS (20 s).
    timeoutMs: 20 * SECOND,
    ttlMs: 2 * MINUTE,
    roles: ADMIN_AND_CONTROL_PLANE,
    // Switching the scene collection redraws the program (before a hand-over nobody watches).
    disruptsShow: true,
    // Loading the same export again ends in the same collection and profile.
    idempotent: true,
    inAgent: true,
    parseArgs: (raw) => parseCommandArgs('import_state', raw),
    argv: () => [],
  },
};

export const COMMAND_CATALOGUE = Object.freeze(catalogue);

export function isCommandOp(value: unknown): value is CommandOp {
  return typeof value === 'string' && (COMMAND_OPS as readonly string[]).includes(value);
}

export function commandSpec<Op extends CommandOp>(op: Op): CommandSpec<Op> {
  return COMMAND_CATALOGUE[op] as CommandSpec<Op>;
}

/** Whether `role` may queue `op`. */
export function mayQueueCommand(op: CommandOp, role: CommandRole): boolean {
  return COMMAND_CATALOGUE[op].roles.includes(role);
}

/**
 * Validates the op and its arguments and builds the argv steps for this machine. Every
 * problem comes back as an error; nothing here ever produces a shell string.
 */
export function buildCommandArgv(
  op: unknown,
  rawArgs: unknown,
  env: CommandEnv,
): Parsed<string[][]> {
  if (!isCommandOp(op)) return fail([`op: must be one of ${COMMAND_OPS.join(', ')}`]);
  const spec = commandSpec(op);
  const args = spec.parseArgs(rawArgs);
  if (!args.ok) return args;
  const problems = spec.envProblems?.(env) ?? [];
  if (problems.length > 0) return fail(problems);
  const steps = spec.argv(args.value as never, env);
  const unsafe = steps.flat().filter((element) => element.includes('\u0000'));
  if (unsafe.length > 0) return fail(['argv: an element contains a NUL character']);
  return ok(steps);
}

/** A command still queued after its op's ttl is expired rather than run. */
export function isCommandExpired(
  command: Pick<VmCommand, 'op' | 'requestedAt' | 'status'>,
  now: number,
): boolean {
  return (
    command.status === 'queued' && now - command.requestedAt > COMMAND_CATALOGUE[command.op].ttlMs
  );
}
