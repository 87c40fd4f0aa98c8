// EC2 status checks (issue 12): the adapter's DescribeInstanceStatus against moto, which reports
// `ok` for running instances and `not-applicable` otherwise and refuses unknown ids as EC2 does.
// moto cannot report a failed check, so that answer comes from EC2's own response body, served
// by the fault proxy to the real SDK client.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ComputePort, LaunchSpec } from '@vmpool/core/ports';
import { createEc2Compute } from '../../src/adapters/aws/ec2-compute';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { MOTO_CREDENTIALS, startMoto, type MotoServer } from '../support/moto';

const region = 'us-east-1';
const poolTags = { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' };
const MISSING = 'i-0000000000000dead';

const spec = (vmId: string): LaunchSpec => ({
  amiId: 'ami-03cf127a',
  instanceType: 't3.large',
  subnetId: '',
  securityGroupId: '',
  keyPairName: '',
  instanceProfile: '',
  userData: '',
  tags: { ...poolTags, VmId: vmId },
  clientToken: `status-${vmId}`,
});

/** EC2's DescribeInstanceStatus answer for an instance whose checks failed (its documented shape). */
function impairedBody(instanceId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstanceStatusResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>3be1508e-c444-4fef-89cc-0b1223c4f02f</requestId>
  <instanceStatusSet>
    <item>
      <instanceId>${instanceId}</instanceId>
      <availabilityZone>us-east-1a</availabilityZone>
      <instanceState><code>16</code><name>running</name></instanceState>
      <systemStatus>
        <status>ok</status>
        <details><item><name>reachability</name><status>passed</status></item></details>
      </systemStatus>
      <instanceStatus>
        <status>impaired</status>
        <details><item><name>reachability</name><status>failed</status><impairedSince>2026-12-07T20:00:00.000Z</impairedSince></item></details>
      </instanceStatus>
    </item>
  </instanceStatusSet>
</DescribeInstanceStatusResponse>`;
}

describe('EC2 adapter: instance status checks (moto)', () => {
  let moto: MotoServer;
  let proxy: FaultProxy;
  let ec2: ComputePort;

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startFaultProxy(moto.endpoint);
    ec2 = createEc2Compute({ endpoint: proxy.endpoint, credentials: MOTO_CREDENTIALS });
  }, 90_000);
  afterAll(async () => {
    await proxy?.close();
    await moto?.stop();
  }, 30_000);
  afterEach(() => {
    proxy.setRule(() => ({ kind: 'pass' }));
    proxy.seen.length = 0;
  });

  const statusCalls = () => proxy.seen.filter((call) => call.action === 'DescribeInstanceStatus');

  it('reports ok checks for a running instance and not-applicable once it is stopped, with IncludeAllInstances', async () => {
    const { instanceId } = await ec2.launchInstance(region, spec('vm-101'));
    expect(await ec2.describeInstanceStatus(region, [instanceId])).toEqual([
      { instanceId, state: 'running', instanceStatus: 'ok', systemStatus: 'ok' },
    ]);
    expect(statusCalls()[0]?.params.get('IncludeAllInstances')).toBe('true');
    expect(statusCalls()[0]?.params.get('InstanceId.1')).toBe(instanceId);

    await ec2.stopInstance(region, instanceId);
    expect(await ec2.describeInstanceStatus(region, [instanceId])).toEqual([
      {
        instanceId,
        state: 'stopped',
        instanceStatus: 'not-applicable',
        systemStatus: 'not-applicable',
      },
    ]);
  }, 60_000);

  it('leaves out ids EC2 does not know (one unknown id fails the whole call on EC2)', async () => {
    const a = await ec2.launchInstance(region, spec('vm-102'));
    const b = await ec2.launchInstance(region, spec('vm-103'));
    const found = await ec2.describeInstanceStatus(region, [a.instanceId, MISSING, b.instanceId]);
    expect(found.map((status) => status.instanceId).sort()).toEqual(
      [a.instanceId, b.instanceId].sort(),
    );
    // The batch was refused, then each id was asked alone.
    expect(statusCalls()).toHaveLength(4);
    expect(await ec2.describeInstanceStatus(region, [MISSING])).toEqual([]);
  }, 60_000);

  it('asks nothing for no ids (EC2 would describe the whole account)', async () => {
    expect(await ec2.describeInstanceStatus(region, [])).toEqual([]);
    expect(statusCalls()).toHaveLength(0);
  });

  it('reads failed checks from EC2 answer as impaired', async () => {
    const { instanceId } = await ec2.launchInstance(region, spec('vm-104'));
    proxy.setRule(({ action }) =>
      action === 'DescribeInstanceStatus'
        ? { kind: 'answer', status: 200, body: impairedBody(instanceId) }
        : { kind: 'pass' },
    );
    expect(await ec2.describeInstanceStatus(region, [instanceId])).toEqual([
      { instanceId, state: 'running', instanceStatus: 'impaired', systemStatus: 'ok' },
    ]);
  }, 60_000);

  it('classifies a throttled status call as THROTTLED after its retries', async () => {
    const { instanceId } = await ec2.launchInstance(region, spec('vm-105'));
    proxy.setRule(({ action }) =>
      action === 'DescribeInstanceStatus'
        ? {
            kind: 'error',
            status: 503,
            code: 'RequestLimitExceeded',
            message: 'Request limit exceeded.',
          }
        : { kind: 'pass' },
    );
    const fast = createEc2Compute({
      endpoint: proxy.endpoint,
      credentials: MOTO_CREDENTIALS,
      maxAttempts: 1,
    });
    await expect(fast.describeInstanceStatus(region, [instanceId])).rejects.toMatchObject({
      code: 'THROTTLED',
      retryable: true,
    });
  }, 60_000);
});
