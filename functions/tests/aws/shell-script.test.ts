import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quoteShellArgument, shellScriptLines } from '../../src/adapters/aws/shell-script';

const HOSTILE = [
  "it's",
  '$(touch /tmp/vmpool-pwned)',
  '`id`',
  '"; rm -rf / #',
  "'; echo injected; '",
  'a\nb',
  '\\',
  '*',
  '',
  '  spaced  ',
  '$HOME ${PATH} $0',
  '!',
  'ümlaut ✓',
  "''''",
  '|&;<>()',
];

/** Runs the script in a real /bin/sh, the shell AWS-RunShellScript uses. */
function runScript(lines: string[]) {
  return spawnSync('/bin/sh', ['-c', lines.join('\n')], { encoding: 'utf8' });
}

describe('shell quoting for SSM scripts', () => {
  it('passes every hostile argument through to the program byte for byte', () => {
    const result = runScript(shellScriptLines([['printf', '%s\\0', ...HOSTILE]]));
    expect(result.status).toBe(0);
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(HOSTILE);
  });

  it('never executes what an argument contains', () => {
    const marker = `/tmp/vmpool-quote-${process.pid}-${Date.now()}`;
    const result = runScript(
      shellScriptLines([
        ['echo', `$(touch ${marker})`, `; touch ${marker}`, `\`touch ${marker}\``],
      ]),
    );
    expect(result.status).toBe(0);
    expect(spawnSync('test', ['-e', marker]).status).not.toBe(0);
  });

  it('stops at the first failing step with its exit code', () => {
    const result = runScript(
      shellScriptLines([
        ['echo', 'one'],
        ['sh', '-c', 'exit 7'],
        ['echo', 'never'],
      ]),
    );
    expect(result.status).toBe(7);
    expect(result.stdout).toBe('one\n');
  });

  it('quotes a single quote the POSIX way', () => {
    expect(quoteShellArgument("it's")).toBe(`'it'\\''s'`);
  });

  it('refuses what cannot be a shell argument or a command', () => {
    expect(() => quoteShellArgument('a\0b')).toThrow(/NUL/);
    expect(() => shellScriptLines([])).toThrow(/at least one step/);
    expect(() => shellScriptLines([['echo'], []])).toThrow(/Step 2 has an empty argv/);
  });
});
