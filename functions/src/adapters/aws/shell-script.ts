/**
 * Builds a POSIX shell script from argv steps without ever letting an argument be parsed as
 * shell: every element is single-quoted (a quote inside becomes '\''), so `$(…)`, backticks,
 * globs, `;` and newlines stay literal text.
 */
export function quoteShellArgument(argument: string): string {
  if (argument.includes('\0')) {
    throw new Error('A shell argument cannot contain a NUL byte');
  }
  return `'${argument.replaceAll("'", `'\\''`)}'`;
}

/** One line per step; the script stops at the first step that fails, with its exit code. */
export function shellScriptLines(steps: readonly (readonly string[])[]): string[] {
  if (steps.length === 0) throw new Error('A remote command needs at least one step');
  return steps.map((argv, index) => {
    if (argv.length === 0) throw new Error(`Step ${index + 1} has an empty argv`);
    return `${argv.map(quoteShellArgument).join(' ')} || exit $?`;
  });
}
