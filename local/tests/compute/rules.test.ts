// EC2's rules as the local provider keeps them: filters, idempotent launches, wrong states and
// unknown ids. The boot delay is long here, so no process starts and the states are stable.
import { afterEach, describe, expect, it } from 'vitest';
import type { LaunchSpec } from '@vmpool/core/ports';
import { readState } from '../../src/compute/index';
import { computeFixture, type ComputeFixture } from './fixture';

const REGION = 'us-east-1';
const POOL = { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' };

const spec = (vmId: string, extra: Partial<LaunchSpec> = {}): LaunchSpec => ({
  amiId: 'ami-0123456789abcdef0',
  instanceType: 't3.large',
  subnetId: '',
  securityGroupId: '',
  keyPairName: '',
  instanceProfile: '',
  userData: '',
  tags: { ...POOL, VmId: vmId },
  clientToken: `token-${vmId}`,
  ...extra,
});

describe('LocalCompute keeps EC2 rules', () => {
  let fixture: ComputeFixture | undefined;
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });

  it('describes by region and every pool tag, and tags merge', async () => {
    fixture = await computeFixture({ bootDelayMs: 600_000 });
    const compute = await fixture.open();
    await compute.launchInstance(REGION, spec('vm-201'));
    await compute.launchInstance(
      REGION,
      spec('vm-202', { tags: { Project: 'other', VmId: 'vm-202' } }),
    );
    await compute.launchInstance('eu-west-1', spec('vm-203'));
    const pool = await compute.describePoolInstances(REGION, POOL);
    expect(pool.map((instance) => instance.instanceId)).toEqual(['local-vm-201']);
    expect(pool[0]).toMatchObject({ state: 'pending', region: REGION, instanceType: 't3.large' });

    await compute.tagInstance(REGION, 'local-vm-201', { Owner: 'crew' });
    const [tagged] = await compute.describePoolInstances(REGION, { ...POOL, Owner: 'crew' });
    expect(tagged?.tags).toEqual({ ...POOL, VmId: 'vm-201', Owner: 'crew' });
  });

  it('returns the same instance for a repeated client token and refuses a mismatch', async () => {
    fixture = await computeFixture({ bootDelayMs: 600_000 });
    const compute = await fixture.open();
    const first = await compute.launchInstance(REGION, spec('vm-204'));
    const again = await compute.launchInstance(REGION, spec('vm-204'));
    expect(again.instanceId).toBe(first.instanceId);
    expect(await compute.describePoolInstances(REGION, POOL)).toHaveLength(1);
    await expect(
      compute.launchInstance(REGION, spec('vm-205', { clientToken: 'token-vm-204' })),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      providerCode: 'IdempotentParameterMismatch',
    });
    await expect(
      compute.launchInstance(REGION, spec('vm-204', { clientToken: 'another' })),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });

  it('refuses a launch without a valid VmId tag', async () => {
    fixture = await computeFixture({ bootDelayMs: 600_000 });
    const compute = await fixture.open();
    await expect(
      compute.launchInstance(REGION, spec('vm-206', { tags: { ...POOL } })),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG', retryable: false });
    await expect(
      compute.launchInstance(REGION, spec('vm-206', { tags: { ...POOL, VmId: 'VM 1' } })),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });

  it('classifies unknown ids and wrong states', async () => {
    fixture = await computeFixture({ bootDelayMs: 600_000 });
    const compute = await fixture.open();
    await expect(compute.startInstance(REGION, 'local-vm-404')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      providerCode: 'InvalidInstanceID.NotFound',
    });
    await expect(compute.stopInstance(REGION, 'i-0123456789abcdef0')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      providerCode: 'InvalidInstanceID.Malformed',
    });
    await compute.launchInstance(REGION, spec('vm-207'));
    await expect(compute.startInstance('eu-west-1', 'local-vm-207')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // pending: start is a no-op, reboot is refused
    await compute.startInstance(REGION, 'local-vm-207');
    await expect(compute.rebootInstance(REGION, 'local-vm-207')).rejects.toMatchObject({
      code: 'WRONG_STATE',
      providerCode: 'IncorrectInstanceState',
    });
  });

  it('saves every change to the state file', async () => {
    fixture = await computeFixture({ bootDelayMs: 600_000 });
    const compute = await fixture.open();
    await compute.launchInstance(REGION, spec('vm-208'));
    await compute.tagInstance(REGION, 'local-vm-208', { Name: 'demo' });
    const saved = await readState(fixture.options.stateFile);
    expect(saved.instances).toEqual([
      expect.objectContaining({
        instanceId: 'local-vm-208',
        vmId: 'vm-208',
        state: 'pending',
        tags: { ...POOL, VmId: 'vm-208', Name: 'demo' },
        clientToken: 'token-vm-208',
      }),
    ]);
  });

  it('rejects bad options, all at once', async () => {
    fixture = await computeFixture();
    await expect(
      computeFixture({ bootDelayMs: -1, addressPrefix: '10.0.0', showServerPort: 0 }).then((f) =>
        f.open().finally(() => f.cleanup()),
      ),
    ).rejects.toThrow(/bootDelayMs.*addressPrefix.*showServerPort/);
  });
});
