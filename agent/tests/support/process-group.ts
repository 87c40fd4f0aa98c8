// Stopping a test's child process that runs in its own process group (spawned `detached`): by
// its pid, never by name.
import type { ChildProcess } from 'node:child_process';

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * `signal` to the child's group (its own children too, even when it has exited itself), SIGKILL
 * 10 s later unless it has exited by then; resolves once it has.
 */
export async function stopGroup(
  child: ChildProcess,
  exited: Promise<unknown>,
  signal: NodeJS.Signals,
): Promise<void> {
  signalGroup(child, signal);
  const forced = setTimeout(() => signalGroup(child, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(forced);
}
