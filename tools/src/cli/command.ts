import type { Context } from './context';

export type OptionSpec = { type: 'string' | 'boolean'; short?: string };

/** One `vmpool` command: its words, options and help, and what it does. */
export interface Command {
  names: readonly string[];
  /** one line for `vmpool --help` */
  summary: string;
  /** `vmpool NAME --help` */
  usage: string;
  options: Record<string, OptionSpec>;
  /** Checks positionals and options before anything connects; returns every problem. */
  check(name: string, positionals: string[], values: Record<string, unknown>): string[];
  run(
    ctx: Context,
    name: string,
    positionals: string[],
    values: Record<string, unknown>,
  ): Promise<number>;
}
