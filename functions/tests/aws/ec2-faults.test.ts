import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isComputeError, type ComputePort, type LaunchSpec } from '@vmpool/core/ports';
import { AwsCallCounter } from '../../src/adapters/aws/call-counter';
import { createEc2Compute } from '../../src/adapters/aws/ec2-compute';
import { startFaultProxy, type FaultDecision, type FaultProxy } from '../support/fault-proxy';
import { MOTO_CREDENTIALS, startMoto, type MotoServer } from '../support/moto';

const region = 'us-east-1';
const poolTags = { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' };

const spec = (overrides: Partial<LaunchSpec> = {}): LaunchSpec => ({
  amiId: 'ami-03cf127a',
  instanceType: 't3.large',
  subnetId: '',
  securityGroupId: '',
  keyPairName: 'crew-key',
  instanceProfile: '',
  userData: '#!/bin/bash\necho "vmpool $HOME"',
  tags: { ...poolTags, VmId: 'vm-007' },
  clientToken: 'launch-vm-007-1',
  ...overrides,
});

const throttled: FaultDecision = {
  kind: 'error',
  status: 503,
  code: 'RequestLimitExceeded',
  message: 'Request limit exceeded.',
};

async function failure(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!isComputeError(error)) throw new Error(`expected a ComputeError, got ${String(error)}`);
  return error;
}

describe('EC2 adapter under injected faults (moto behind a fault proxy)', () => {
  let moto: MotoServer;
  let proxy: FaultProxy;

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startFaultProxy(moto.endpoint);
  }, 90_000);
  afterAll(async () => {
    await proxy?.close();
    await moto?.stop();
  }, 30_000);
  afterEach(() => {
    proxy.setRule(() => ({ kind: 'pass' }));
    proxy.seen.length = 0;
  });

  function compute(maxAttempts: number, counter = new AwsCallCounter()): ComputePort {
    return createEc2Compute({
      endpoint: proxy.endpoint,
      credentials: MOTO_CREDENTIALS,
      maxAttempts,
      callCounter: counter,
    });
  }

  it('retries throttled describes and then succeeds: one call, three attempts', async () => {
    const counter = new AwsCallCounter();
    const ec2 = compute(4, counter);
    await ec2.launchInstance(region, spec());
    counter.reset();
    let throttles = 2;
    proxy.setRule(({ action }) =>
      action === 'DescribeInstances' && throttles-- > 0 ? throttled : { kind: 'pass' },
    );
    const pool = await ec2.describePoolInstances(region, poolTags);
    expect(pool.map((i) => i.tags.VmId)).toContain('vm-007');
    expect(counter.count('DescribeInstancesCommand')).toBe(1);
    expect(counter.count('DescribeInstancesCommand', 'attempts')).toBe(3);
  }, 60_000);

  it('gives up on endless throttling with a retryable THROTTLED error', async () => {
    const counter = new AwsCallCounter();
    proxy.setRule(() => throttled);
    const error = await failure(compute(2, counter).startInstance(region, 'i-0123456789abcdef0'));
    expect(error.code).toBe('THROTTLED');
    expect(error.retryable).toBe(true);
    expect(error.providerCode).toBe('RequestLimitExceeded');
    expect(counter.count('StartInstancesCommand', 'attempts')).toBe(2);
  }, 60_000);

  it('classifies insufficient capacity on launch as CAPACITY (retryable)', async () => {
    proxy.setRule(({ action }) =>
      action === 'RunInstances'
        ? {
            kind: 'error',
            status: 500,
            code: 'InsufficientInstanceCapacity',
            message: 'We currently do not have sufficient t3.large capacity in us-east-1a.',
          }
        : { kind: 'pass' },
    );
    const error = await failure(compute(2).launchInstance(region, spec()));
    expect(error.code).toBe('CAPACITY');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('sufficient t3.large capacity');
  }, 60_000);

  it('does not retry IncorrectInstanceState and reports WRONG_STATE', async () => {
    const counter = new AwsCallCounter();
    proxy.setRule(({ action }) =>
      action === 'StartInstances'
        ? {
            kind: 'error',
            status: 400,
            code: 'IncorrectInstanceState',
            message:
              "The instance 'i-0123456789abcdef0' is not in a state from which it can be started.",
          }
        : { kind: 'pass' },
    );
    const error = await failure(compute(4, counter).startInstance(region, 'i-0123456789abcdef0'));
    expect(error.code).toBe('WRONG_STATE');
    expect(error.retryable).toBe(false);
    expect(counter.count('StartInstancesCommand', 'attempts')).toBe(1);
  }, 60_000);

  it('reports missing permissions as AUTH without retrying', async () => {
    const counter = new AwsCallCounter();
    proxy.setRule(() => ({
      kind: 'error',
      status: 403,
      code: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
    }));
    const error = await failure(compute(4, counter).stopInstance(region, 'i-0123456789abcdef0'));
    expect(error.code).toBe('AUTH');
    expect(error.retryable).toBe(false);
    expect(counter.count('StopInstancesCommand', 'attempts')).toBe(1);
  }, 60_000);

  it('reports a connection dropped on every attempt as UNAVAILABLE', async () => {
    proxy.setRule(() => ({ kind: 'drop' }));
    const error = await failure(compute(2).describePoolInstances(region, poolTags));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.retryable).toBe(true);
  }, 60_000);

  it('sends RunInstances with the client token, tags, key pair, profile and base64 user data', async () => {
    // moto knows no instance profile of that name and refuses, as EC2 would: a config error.
    const refused = await failure(
      compute(2).launchInstance(region, spec({ instanceProfile: 'vmpool-agent' })),
    );
    expect(refused.code).toBe('INVALID_CONFIG');
    const run = proxy.seen.find((call) => call.action === 'RunInstances');
    const params = run?.params;
    expect(params?.get('ClientToken')).toBe('launch-vm-007-1');
    expect(params?.get('ImageId')).toBe('ami-03cf127a');
    expect(params?.get('KeyName')).toBe('crew-key');
    expect(params?.get('IamInstanceProfile.Name')).toBe('vmpool-agent');
    expect(params?.get('MetadataOptions.HttpTokens')).toBe('required');
    expect(Buffer.from(params?.get('UserData') ?? '', 'base64').toString()).toBe(spec().userData);
    const tags: Record<string, string> = {};
    for (let n = 1; params?.has(`TagSpecification.1.Tag.${n}.Key`); n += 1) {
      tags[params.get(`TagSpecification.1.Tag.${n}.Key`) ?? ''] =
        params.get(`TagSpecification.1.Tag.${n}.Value`) ?? '';
    }
    expect(params?.get('TagSpecification.1.ResourceType')).toBe('instance');
    expect(tags).toEqual({ ...poolTags, VmId: 'vm-007' });
  }, 60_000);

  it('refuses to describe a pool without tags (it would be the whole account)', async () => {
    proxy.seen.length = 0;
    const error = await failure(compute(2).describePoolInstances(region, {}));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(proxy.seen).toHaveLength(0);
  });

  it('describes the whole pool with one filtered, paginated call and no per-VM calls', async () => {
    const counter = new AwsCallCounter();
    const ec2 = createEc2Compute({
      endpoint: proxy.endpoint,
      credentials: MOTO_CREDENTIALS,
      callCounter: counter,
      describePageSize: 5,
    });
    for (let n = 0; n < 11; n += 1) {
      await ec2.launchInstance(
        region,
        spec({ clientToken: `page-${n}`, tags: { ...poolTags, VmId: `vm-p${n}` } }),
      );
    }
    counter.reset();
    proxy.seen.length = 0;
    const pool = await ec2.describePoolInstances(region, poolTags);
    expect(pool.length).toBeGreaterThanOrEqual(11);
    const describes = proxy.seen.filter((call) => call.action === 'DescribeInstances');
    expect(describes.length).toBe(Math.ceil(pool.length / 5));
    expect(proxy.seen.length).toBe(describes.length);
    const filters = describes[0]?.params;
    expect(filters?.get('Filter.1.Name')).toBe('tag:Project');
    expect(filters?.get('Filter.1.Value.1')).toBe('gymnastics-graphics');
    expect(filters?.get('Filter.2.Name')).toBe('tag:ManagedBy');
    expect(filters?.get('Filter.3.Name')).toBe('instance-state-name');
    expect(filters?.has('InstanceId.1')).toBe(false);
    expect(counter.count('DescribeInstancesCommand')).toBe(describes.length);
  }, 60_000);
});
