import { describe, expect, it } from 'vitest';
import { captureArgv, runArgv } from './process-runner';

const node = process.execPath;

describe('runArgv (real processes)', () => {
  it('streams stdout and stderr and reports the exit code', async () => {
    let stdout = '';
    let stderr = '';
    const result = await runArgv(
      [node, '-e', 'console.log("out"); console.error("err"); process.exit(3)'],
      {
        timeoutMs: 20_000,
        graceMs: 1_000,
        onStdout: (chunk) => (stdout += chunk),
        onStderr: (chunk) => (stderr += chunk),
      },
    );
    expect(result).toMatchObject({ exitCode: 3, timedOut: false, spawnError: null });
    expect([stdout, stderr]).toEqual(['out\n', 'err\n']);
  });

  it('passes arguments verbatim, never through a shell', async () => {
    const { stdout } = await captureArgv([
      node,
      '-e',
      'console.log(process.argv[1])',
      '$(touch /tmp/pwned); `id`',
    ]);
    expect(stdout).toBe('$(touch /tmp/pwned); `id`\n');
  });

  it('sends SIGTERM at the timeout and SIGKILL after the grace when SIGTERM is ignored', async () => {
    const stubborn =
      'process.on("SIGTERM", () => console.log("ignoring TERM")); console.log("ready"); setInterval(() => {}, 1000)';
    let stdout = '';
    const result = await runArgv([node, '-e', stubborn], {
      timeoutMs: 1_500,
      graceMs: 500,
      onStdout: (chunk) => (stdout += chunk),
    });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    expect(stdout).toContain('ignoring TERM');
  });

  it('ends a cooperative process with SIGTERM alone', async () => {
    const result = await runArgv([node, '-e', 'setInterval(() => {}, 1000)'], {
      timeoutMs: 1_000,
      graceMs: 10_000,
    });
    expect(result).toMatchObject({ timedOut: true, signal: 'SIGTERM' });
  });

  it('stops on abort like on a timeout', async () => {
    const abort = new AbortController();
    const running = runArgv([node, '-e', 'setInterval(() => {}, 1000)'], {
      timeoutMs: 60_000,
      graceMs: 1_000,
      signal: abort.signal,
    });
    setTimeout(() => abort.abort(), 300);
    expect(await running).toMatchObject({ timedOut: false, signal: 'SIGTERM' });
  });

  it('reports a program that does not exist', async () => {
    const result = await runArgv(['/nonexistent/vmctl', 'status'], {
      timeoutMs: 5_000,
      graceMs: 100,
    });
    expect(result.spawnError).toBe('/nonexistent/vmctl: ENOENT');
    const captured = await captureArgv(['/nonexistent/vmctl']);
    expect(captured).toMatchObject({ ok: false, error: '/nonexistent/vmctl: ENOENT' });
  });
});
