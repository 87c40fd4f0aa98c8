import { z } from 'zod';
import { COMPETITION_ID_PATTERN, UID_MAX_LENGTH, VM_ID_PATTERN } from './ids';
import { fail, formatIssues, ok, type Parsed } from './parsed';
import { timestamp } from './rtdb-shapes';
import { STATE_DIGEST_PATTERN } from './state-export';

/** Every operation an admin may queue on a VM; the catalogue is domain/commands.ts. */
export const COMMAND_OPS = [
  'start_obs',
  'stop_obs',
  'restart_obs',
  'restart_show_server',
  'restart_nimble',
  'update_code',
  'check_services',
  'view_logs',
  'system_info',
  'clear_recordings',
  'reset_obs_config',
  'archive_recordings',
  // issue 12: state restore before a failover's hand-over
  'import_state',
] as const;
export type CommandOp = (typeof COMMAND_OPS)[number];

/** `queued` is never written: an absent status means queued. */
export const COMMAND_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'rejected',
  'expired',
] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/** Statuses after which the agent never touches a command again. */
export const FINAL_COMMAND_STATUSES = [
  'succeeded',
  'failed',
  'timed_out',
  'rejected',
  'expired',
] as const satisfies CommandStatus[];

export type FinalCommandStatus = (typeof FINAL_COMMAND_STATUSES)[number];

/** True for a final status; accepts anything, e.g. a raw `status` read from RTDB. */
export function isFinalCommandStatus(status: unknown): status is FinalCommandStatus {
  return (FINAL_COMMAND_STATUSES as readonly unknown[]).includes(status);
}

/** Output tails kept in RTDB, in characters. */
export const OUTPUT_CAPS = Object.freeze({ stdout: 24000, stderr: 8000 });

export interface CommandOutput {
  stdout: string;
  stderr: string;
  truncated: boolean;
}

/** Units whose journal `view_logs` may read; mapped to real unit names by the CommandEnv. */
export const LOG_UNITS = ['showServer', 'obs', 'nimble', 'xvfb', 'agent'] as const;
export type LogUnit = (typeof LOG_UNITS)[number];
export const VIEW_LOGS_LINES = Object.freeze({ min: 1, max: 500, default: 50 });

export const commandArgsSchemas = {
  start_obs: z.strictObject({}),
  stop_obs: z.strictObject({}),
  restart_obs: z.strictObject({}),
  restart_show_server: z.strictObject({}),
  restart_nimble: z.strictObject({}),
  update_code: z.strictObject({}),
  check_services: z.strictObject({}),
  view_logs: z.strictObject({
    unit: z.enum(LOG_UNITS).default('showServer'),
    lines: z
      .number()
      .int()
      .min(VIEW_LOGS_LINES.min)
      .max(VIEW_LOGS_LINES.max)
      .default(VIEW_LOGS_LINES.default),
  }),
  system_info: z.strictObject({}),
  clear_recordings: z.strictObject({}),
  reset_obs_config: z.strictObject({}),
  archive_recordings: z.strictObject({
    competitionId: z
      .string()
      .regex(COMPETITION_ID_PATTERN, { error: 'must be 1..128 letters, digits, _ or -' }),
  }),
  // issue 12: which saved export to load (vmPool/stateExports/{compId} names it)
  import_state: z.strictObject({
    competitionId: z
      .string()
      .regex(COMPETITION_ID_PATTERN, { error: 'must be 1..128 letters, digits, _ or -' }),
    sourceVmId: z.string().regex(VM_ID_PATTERN, { error: 'must be a VM id such as vm-001' }),
    digest: z.string().regex(STATE_DIGEST_PATTERN, { error: 'must be a sha-256 hex digest' }),
  }),
} as const satisfies Record<CommandOp, z.ZodType>;

/** The validated arguments of each op (defaults filled in). */
export type CommandArgs = { [Op in CommandOp]: z.output<(typeof commandArgsSchemas)[Op]> };

/** Validates the arguments of one op; missing args (RTDB drops empty objects) mean `{}`. */
export function parseCommandArgs<Op extends CommandOp>(
  op: Op,
  raw: unknown,
): Parsed<CommandArgs[Op]> {
  const result = commandArgsSchemas[op].safeParse(raw ?? {}, { reportInput: true });
  if (!result.success) {
    return fail(
      formatIssues(result.error.issues).map((line) =>
        `args.${line}`.replace('args.(root)', 'args'),
      ),
    );
  }
  return ok(result.data as CommandArgs[Op]);
}

/** `vmPool/commands/{vmId}/{commandId}`: the admin's fields plus the agent's run fields. */
export interface VmCommand {
  op: CommandOp;
  args: Record<string, unknown>;
  requestedBy: string;
  requestedAt: number;
  claim: { bootId: string; at: number } | null;
  status: CommandStatus;
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
  exitCode: number | null;
  output: CommandOutput | null;
  reason: string | null;
}

const runFieldsSchema = z.strictObject({
  claim: z
    .strictObject({ bootId: z.string().min(1).max(256), at: timestamp })
    .nullable()
    .default(null),
  status: z.enum(COMMAND_STATUSES).default('queued'),
  startedAt: timestamp.nullable().default(null),
  finishedAt: timestamp.nullable().default(null),
  durationMs: z.number().nonnegative().nullable().default(null),
  exitCode: z.number().int().nullable().default(null),
  output: z
    .strictObject({
      stdout: z.string().max(OUTPUT_CAPS.stdout).default(''),
      stderr: z.string().max(OUTPUT_CAPS.stderr).default(''),
      truncated: z.boolean().default(false),
    })
    .nullable()
    .default(null),
  reason: z.string().max(2000).nullable().default(null),
});

const adminFieldsSchema = z.object({
  op: z.enum(COMMAND_OPS),
  requestedBy: z.string().min(1).max(UID_MAX_LENGTH),
  requestedAt: timestamp,
});

/**
 * Validates a command node: a known op, arguments valid for that op (defaults filled in),
 * the requester, and whatever run fields the agent has written so far. No extra fields.
 */
export function parseVmCommand(raw: unknown): Parsed<VmCommand> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail(['(root): must be an object']);
  }
  const { op, args, requestedBy, requestedAt, ...runFields } = raw as Record<string, unknown>;
  const errors: string[] = [];
  const admin = adminFieldsSchema.safeParse(
    { op, requestedBy, requestedAt },
    { reportInput: true },
  );
  if (!admin.success) errors.push(...formatIssues(admin.error.issues));
  const run = runFieldsSchema.safeParse(runFields, { reportInput: true });
  if (!run.success) errors.push(...formatIssues(run.error.issues));
  let parsedArgs: Record<string, unknown> = {};
  if (admin.success) {
    const argsResult = parseCommandArgs(admin.data.op, args);
    if (argsResult.ok) parsedArgs = argsResult.value;
    else errors.push(...argsResult.errors);
  }
  if (!admin.success || !run.success || errors.length > 0) return fail(errors);
  return ok({ ...admin.data, args: parsedArgs, ...run.data });
}
