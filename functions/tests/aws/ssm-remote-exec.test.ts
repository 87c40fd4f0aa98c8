import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { ListCommandsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isComputeError } from '@vmpool/core/ports';
import { AwsCallCounter } from '../../src/adapters/aws/call-counter';
import { shellScriptLines } from '../../src/adapters/aws/shell-script';
import { createSsmRemoteExec, toRemoteExecState } from '../../src/adapters/aws/ssm-remote-exec';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { MOTO_CREDENTIALS, startMoto, type MotoServer } from '../support/moto';

const region = 'us-east-1';

describe('SSM remote exec on moto', () => {
  let moto: MotoServer;
  let proxy: FaultProxy;
  let instanceId: string;

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startFaultProxy(moto.endpoint);
    const ec2 = new EC2Client({ region, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
    const run = await ec2.send(
      new RunInstancesCommand({ ImageId: 'ami-03cf127a', MinCount: 1, MaxCount: 1 }),
    );
    instanceId = run.Instances?.[0]?.InstanceId ?? '';
  }, 90_000);
  afterAll(async () => {
    await proxy?.close();
    await moto?.stop();
  }, 30_000);

  it('sends AWS-RunShellScript with the quoted steps and reads the invocation back', async () => {
    const counter = new AwsCallCounter();
    const exec = createSsmRemoteExec({
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
      callCounter: counter,
    });
    const steps = [
      ['/opt/vmpool/bin/archive', '--competition', "comp'; rm -rf /"],
      ['systemctl', 'restart', 'obs'],
    ];
    const { invocationId } = await exec.send(region, instanceId, steps, {
      timeoutSeconds: 600,
      comment: `vmpool release ${'x'.repeat(200)}`,
    });
    expect(invocationId).toMatch(/\S/);

    const ssm = new SSMClient({ region, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
    const listed = await ssm.send(new ListCommandsCommand({ CommandId: invocationId }));
    const command = listed.Commands?.[0];
    expect(command?.DocumentName).toBe('AWS-RunShellScript');
    expect(command?.InstanceIds).toEqual([instanceId]);
    expect(command?.Parameters?.commands).toEqual(shellScriptLines(steps));
    expect(command?.Parameters?.executionTimeout).toEqual(['600']);
    expect(command?.Comment?.length).toBeLessThanOrEqual(100);

    const result = await exec.result(region, instanceId, invocationId);
    expect(result).not.toBeNull();
    expect(['pending', 'running', 'succeeded']).toContain(result?.state);
    expect(counter.count('SendCommandCommand')).toBe(1);
    expect(counter.count('GetCommandInvocationCommand')).toBe(1);
  }, 60_000);

  it('answers null while SSM has no record of the invocation (InvocationDoesNotExist)', async () => {
    const direct = createSsmRemoteExec({ endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
    // moto answers an id it never issued with InvalidCommandId: a NOT_FOUND, not a null.
    await expect(direct.result(region, instanceId, 'no-such-command')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      providerCode: 'InvalidCommandId',
    });
    proxy.setRule(({ action }) =>
      action === 'GetCommandInvocation'
        ? {
            kind: 'error',
            status: 400,
            code: 'InvocationDoesNotExist',
            message: 'An error occurred (InvocationDoesNotExist)',
          }
        : { kind: 'pass' },
    );
    const exec = createSsmRemoteExec({ endpoint: proxy.endpoint, credentials: MOTO_CREDENTIALS });
    await expect(
      exec.result(region, instanceId, '00000000-0000-0000-0000-000000000000'),
    ).resolves.toBeNull();
  }, 60_000);

  it('classifies SSM errors like EC2 errors', async () => {
    proxy.setRule(() => ({
      kind: 'error',
      status: 400,
      code: 'ThrottlingException',
      message: 'Rate exceeded',
    }));
    const exec = createSsmRemoteExec({
      endpoint: proxy.endpoint,
      credentials: MOTO_CREDENTIALS,
      maxAttempts: 1,
    });
    const error = await exec
      .send(region, instanceId, [['true']], { timeoutSeconds: 10, comment: 'x' })
      .catch((thrown: unknown) => thrown);
    expect(isComputeError(error) && error.code).toBe('THROTTLED');
  }, 60_000);

  it('maps every SSM invocation status', () => {
    expect(toRemoteExecState('Pending')).toBe('pending');
    expect(toRemoteExecState('Delayed')).toBe('pending');
    expect(toRemoteExecState('InProgress')).toBe('running');
    expect(toRemoteExecState('Success')).toBe('succeeded');
    expect(toRemoteExecState('Failed')).toBe('failed');
    expect(toRemoteExecState('TimedOut')).toBe('timed_out');
    expect(toRemoteExecState('Cancelled')).toBe('cancelled');
    expect(toRemoteExecState(undefined)).toBe('pending');
  });
});
