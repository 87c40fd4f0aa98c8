/**
 * The remote-exec port: run an argv on a VM without the agent (SSM Run Command in production).
 * Used as the fallback when a VM's agent is offline, e.g. to archive recordings on release.
 */
export type RemoteExecState =
  'pending' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'cancelled';

export interface RemoteExecResult {
  state: RemoteExecState;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface RemoteExecPort {
  /** Starts the steps (each an argv, run in order, stopping at the first failure). */
  send(
    region: string,
    instanceId: string,
    steps: string[][],
    options: { timeoutSeconds: number; comment: string },
  ): Promise<{ invocationId: string }>;
  /** Null while the provider has no record of the invocation yet. */
  result(
    region: string,
    instanceId: string,
    invocationId: string,
  ): Promise<RemoteExecResult | null>;
}
