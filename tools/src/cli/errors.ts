/** The `vmpool` exit codes (documented in `vmpool --help` and the README). */
export const EXIT = Object.freeze({
  ok: 0,
  /** the operation ran and failed: a failed request or command, an unknown VM or alert */
  failed: 1,
  /** bad flags, arguments or settings */
  usage: 2,
  /** the database or Auth is not reachable, or credentials/rights are missing */
  unreachable: 3,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports in words and ends with a given exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(EXIT.usage, message);
export const failed = (message: string) => new CliError(EXIT.failed, message);
export const unreachable = (message: string) => new CliError(EXIT.unreachable, message);
