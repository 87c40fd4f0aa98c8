// Runs one argv (never a shell) under a timeout: SIGTERM first, SIGKILL after a grace.
import { spawn } from 'node:child_process';

export interface RunOptions {
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL. */
  graceMs: number;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Aborting ends the process the same way a timeout does. */
  signal?: AbortSignal;
}

export interface RunResult {
  /** null when the process ended by signal or never started */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** set when the program could not be started at all (ENOENT, EACCES) */
  spawnError: string | null;
  durationMs: number;
}

export function runArgv(argv: readonly string[], options: RunOptions): Promise<RunResult> {
  const [program, ...args] = argv;
  const started = performance.now();
  return new Promise((resolve) => {
    if (program === undefined) {
      resolve({
        exitCode: null,
        signal: null,
        timedOut: false,
        spawnError: 'empty argv',
        durationMs: 0,
      });
      return;
    }
    const child = spawn(program, args, {
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      cwd: options.cwd,
      // Own process group, so that SIGKILL also reaches grandchildren a script started.
      detached: true,
    });
    let timedOut = false;
    let spawnError: string | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    const signalGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        child.kill(signal);
      }
    };
    const terminate = (): void => {
      if (killTimer !== undefined) return;
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), options.graceMs);
    };
    const timeoutTimer = setTimeout(() => {
      timedOut = true;
      terminate();
    }, options.timeoutMs);
    options.signal?.addEventListener('abort', terminate, { once: true });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => options.onStdout?.(chunk));
    child.stderr.on('data', (chunk: string) => options.onStderr?.(chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = `${program}: ${error.code ?? error.message}`;
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', terminate);
      resolve({
        exitCode,
        signal,
        timedOut,
        spawnError,
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}

/** Runs a short program and collects its stdout; for probes, not for admin commands. */
export async function captureArgv(
  argv: readonly string[],
  timeoutMs = 5_000,
): Promise<{ ok: boolean; stdout: string; error: string | null }> {
  let stdout = '';
  let stderr = '';
  const result = await runArgv(argv, {
    timeoutMs,
    graceMs: 1_000,
    onStdout: (chunk) => {
      if (stdout.length < 1_000_000) stdout += chunk;
    },
    onStderr: (chunk) => {
      if (stderr.length < 10_000) stderr += chunk;
    },
  });
  const ok = result.exitCode === 0;
  const error = ok
    ? null
    : (result.spawnError ??
      (result.timedOut ? 'timed out' : stderr.trim().slice(0, 300) || `exit ${result.exitCode}`));
  return { ok, stdout, error };
}
