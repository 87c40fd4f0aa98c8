// The shared compute contract, run against the local provider with real processes: every
// launched instance is a show server and an agent (see processes.test.ts for what they do).
import { describeComputeContract } from '../../../test/contracts/compute-contract';
import { computeFixture } from './fixture';

const POOL_TAGS = { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' };

describeComputeContract(
  'local processes',
  async () => {
    const fixture = await computeFixture({ bootDelayMs: 200, stopDelayMs: 50 });
    const compute = await fixture.open();
    return {
      compute,
      region: 'us-east-1',
      poolTags: POOL_TAGS,
      launchSpec: (overrides = {}) => ({
        amiId: 'ami-0123456789abcdef0',
        instanceType: 't3.large',
        subnetId: '',
        securityGroupId: '',
        keyPairName: '',
        instanceProfile: '',
        userData: '',
        tags: { ...POOL_TAGS },
        clientToken: `token-${Math.random().toString(36).slice(2)}`,
        ...overrides,
      }),
      teardown: () => fixture.cleanup(),
    };
  },
  // Each instance is two Node processes: a few prove describe lists every one of them.
  { paginationInstances: 3, settleTimeoutMs: 60_000, pollIntervalMs: 100 },
);
