import {
  GetCommandInvocationCommand,
  SSMClient,
  SendCommandCommand,
  type CommandInvocationStatus,
} from '@aws-sdk/client-ssm';
import { SSM_SHELL_DOCUMENT } from '@vmpool/core';
import type { RemoteExecPort, RemoteExecResult, RemoteExecState } from '@vmpool/core/ports';
import { clientConfig, perRegionCache, type AwsClientOptions } from './aws-client-options';
import { classifyAwsError, providerErrorCode } from './classify-error';
import { shellScriptLines } from './shell-script';

/** SSM refuses a delivery timeout under 30 s and a comment over 100 characters. */
const MIN_DELIVERY_TIMEOUT_SECONDS = 30;
const MAX_COMMENT_LENGTH = 100;

const STATES: Record<CommandInvocationStatus, RemoteExecState> = {
  Pending: 'pending',
  Delayed: 'pending',
  InProgress: 'running',
  Cancelling: 'running',
  Success: 'succeeded',
  Failed: 'failed',
  TimedOut: 'timed_out',
  Cancelled: 'cancelled',
};

export function toRemoteExecState(status: string | undefined): RemoteExecState {
  return STATES[status as CommandInvocationStatus] ?? 'pending';
}

/** Remote exec over SSM Run Command (AWS-RunShellScript), the fallback when an agent is offline. */
export function createSsmRemoteExec(options: AwsClientOptions = {}): RemoteExecPort {
  const client = perRegionCache((region) => {
    const ssm = new SSMClient(clientConfig(region, options));
    if (options.callCounter) ssm.middlewareStack.use(options.callCounter.plugin());
    return ssm;
  });

  return {
    async send(region, instanceId, steps, { timeoutSeconds, comment }) {
      const commands = shellScriptLines(steps);
      try {
        const output = await client(region).send(
          new SendCommandCommand({
            DocumentName: SSM_SHELL_DOCUMENT,
            InstanceIds: [instanceId],
            Comment: comment.slice(0, MAX_COMMENT_LENGTH),
            TimeoutSeconds: Math.max(MIN_DELIVERY_TIMEOUT_SECONDS, Math.ceil(timeoutSeconds)),
            Parameters: {
              commands,
              executionTimeout: [String(Math.max(1, Math.ceil(timeoutSeconds)))],
            },
          }),
        );
        const invocationId = output.Command?.CommandId;
        if (!invocationId) throw new Error('SendCommand returned no command id');
        return { invocationId };
      } catch (error) {
        throw classifyAwsError(error, `SendCommand to ${instanceId}`);
      }
    },

    async result(region, instanceId, invocationId): Promise<RemoteExecResult | null> {
      try {
        const output = await client(region).send(
          new GetCommandInvocationCommand({ CommandId: invocationId, InstanceId: instanceId }),
        );
        const code = output.ResponseCode;
        return {
          state: toRemoteExecState(output.Status),
          exitCode: code === undefined || code < 0 ? null : code,
          stdout: output.StandardOutputContent ?? '',
          stderr: output.StandardErrorContent ?? '',
        };
      } catch (error) {
        // SSM needs a moment after SendCommand before the invocation exists.
        if (providerErrorCode(error) === 'InvocationDoesNotExist') return null;
        throw classifyAwsError(error, `GetCommandInvocation ${invocationId}`);
      }
    },
  };
}
