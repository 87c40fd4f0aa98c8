// `vmpool`: run the pool from a terminal, against the local stack or a Firebase project.
import { parseArgs } from 'node:util';
import type { Command } from './command';
import { alerts } from './commands/alerts';
import { cost } from './commands/cost';
import { exec, logs } from './commands/exec';
import { grant } from './commands/grant';
import { requests } from './commands/requests';
import { status } from './commands/status';
import { GLOBAL_HELP, GLOBAL_OPTIONS, parseCliConfig, type GlobalFlags } from './config';
import { createContext, createOutput } from './context';
import { CliError, EXIT } from './errors';

export const COMMANDS: readonly Command[] = [status, requests, exec, logs, alerts, cost, grant];

const EXIT_HELP = [
  'Exit codes: 0 ok, 1 the operation failed (a failed request or command, unknown VM/alert/user),',
  '            2 usage error, 3 database or Auth not reachable, or no rights.',
].join('\n');

export function toolHelp(): string {
  const lines = COMMANDS.map((c) => `  ${c.names.join('|')}\n      ${c.summary}`);
  return [
    'vmpool COMMAND [options]   the VM pool from a terminal (local stack by default)',
    '',
    'Commands:',
    ...lines,
    '',
    'Options for every command:',
    GLOBAL_HELP,
    '',
    EXIT_HELP,
    '`vmpool COMMAND --help` describes one command.',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return [command.usage, '', 'Options for every command:', GLOBAL_HELP, '', EXIT_HELP].join('\n');
}

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
}

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  // First pass: find the command word (global string options consume their values).
  const loose = parseArgs({
    args: [...argv],
    options: GLOBAL_OPTIONS,
    strict: false,
    allowPositionals: true,
  });
  const name = loose.positionals[0];
  const command = COMMANDS.find((c) => name !== undefined && c.names.includes(name));
  if (name === undefined) {
    if (loose.values.help === true) {
      io.stdout(`${toolHelp()}\n`);
      return EXIT.ok;
    }
    io.stderr(`vmpool: no command given\n\n${toolHelp()}\n`);
    return EXIT.usage;
  }
  if (command === undefined) {
    io.stderr(`vmpool: unknown command "${name}"; \`vmpool --help\` lists them\n`);
    return EXIT.usage;
  }
  const errors: string[] = [];
  let values: Record<string, unknown> = {};
  let positionals: string[] = [];
  let parsedArgs = false;
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: { ...GLOBAL_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: true,
    });
    values = parsed.values as Record<string, unknown>;
    positionals = parsed.positionals.slice(1);
    parsedArgs = true;
  } catch (error) {
    errors.push((error as Error).message);
  }
  if (values.help === true) {
    io.stdout(`${commandHelp(command)}\n`);
    return EXIT.ok;
  }
  const parsedConfig = parseCliConfig(values as GlobalFlags, io.env);
  if (!parsedConfig.ok) errors.push(...parsedConfig.errors);
  if (parsedArgs) errors.push(...command.check(name, positionals, values));
  if (errors.length > 0 || !parsedConfig.ok) {
    io.stderr(
      `vmpool ${name}: ${errors.length === 1 ? errors[0] : `\n${errors.map((e) => `  - ${e}`).join('\n')}`}\n` +
        `\n${command.usage}\n`,
    );
    return EXIT.usage;
  }
  const config = parsedConfig.config;
  // firebase-admin finds the Auth emulator through this variable: set for the local stack,
  // never for a real project.
  if (config.target.kind === 'local')
    process.env.FIREBASE_AUTH_EMULATOR_HOST = config.target.authEmulatorHost;
  else delete process.env.FIREBASE_AUTH_EMULATOR_HOST;

  const ctx = createContext(config, createOutput(config.json, io.stdout));
  try {
    return await command.run(ctx, name, positionals, values);
  } catch (error) {
    if (error instanceof CliError) {
      if (config.json)
        io.stdout(`${JSON.stringify({ error: error.message, exitCode: error.exitCode })}\n`);
      io.stderr(`vmpool ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`vmpool ${name}: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.failed;
  } finally {
    await ctx.close();
  }
}
