// Turns a raw command node into a plan using core's catalogue: the op must be known, the node
// well-formed, the command not older than its op's TTL, the arguments valid; the argv comes
// from the catalogue's template and this machine's CommandEnv, never from the request.
import {
  buildCommandArgv,
  COMMAND_CATALOGUE,
  isCommandExpired,
  isCommandOp,
  parseVmCommand,
  PRODUCTION_COMMAND_ENV,
  type CommandEnv,
} from '@vmpool/core';
import type { CommandPlanner } from './plan';

export function productionCommandEnv(archiveBucket: string): CommandEnv {
  return {
    ...PRODUCTION_COMMAND_ENV,
    archive: { ...PRODUCTION_COMMAND_ENV.archive, bucket: archiveBucket },
  };
}

export function createPlanner(env: CommandEnv): CommandPlanner {
  return (raw, now) => {
    const op = (raw as { op?: unknown } | null)?.op;
    if (!isCommandOp(op)) {
      return {
        kind: 'rejected',
        reason: `unknown op ${JSON.stringify(op) ?? 'undefined'}: not in the command catalogue`,
      };
    }
    const parsed = parseVmCommand(raw);
    if (!parsed.ok)
      return { kind: 'rejected', reason: `invalid command: ${parsed.errors.join('; ')}` };
    const command = parsed.value;
    if (isCommandExpired({ op, requestedAt: command.requestedAt, status: 'queued' }, now)) {
      const ageSeconds = Math.round((now - command.requestedAt) / 1000);
      const ttlSeconds = Math.round(COMMAND_CATALOGUE[op].ttlMs / 1000);
      return {
        kind: 'expired',
        reason: `queued ${ageSeconds} s ago; ${op} expires after ${ttlSeconds} s and was not run`,
      };
    }
    const steps = buildCommandArgv(op, command.args, env);
    if (!steps.ok)
      return { kind: 'rejected', reason: `invalid command: ${steps.errors.join('; ')}` };
    const spec = COMMAND_CATALOGUE[op];
    return {
      kind: 'run',
      plan: {
        op,
        steps: steps.value,
        timeoutMs: spec.timeoutMs,
        ...(spec.inAgent === true ? { inAgent: { args: command.args } } : {}),
      },
    };
  };
}
