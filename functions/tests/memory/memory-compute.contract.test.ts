import { describeComputeContract } from '../../../test/contracts/compute-contract';
import { MemoryCompute } from '../../src/adapters/memory';

const POOL_TAGS = { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' };

// The in-memory cloud must behave like EC2 (via moto) for every path the control plane uses,
// so that use-case tests on it prove something about production.
describeComputeContract(
  'in-memory',
  async () => {
    const compute = new MemoryCompute({ clock: { now: () => Date.now() }, pageSize: 5 });
    return {
      compute,
      region: 'us-east-1',
      poolTags: POOL_TAGS,
      launchSpec: (overrides = {}) => ({
        amiId: 'ami-0123456789abcdef0',
        instanceType: 't3.large',
        subnetId: 'subnet-0123456789abcdef0',
        securityGroupId: 'sg-0123456789abcdef0',
        keyPairName: '',
        instanceProfile: '',
        userData: '#!/bin/bash\n',
        tags: { ...POOL_TAGS },
        clientToken: `token-${Math.random().toString(36).slice(2)}`,
        ...overrides,
      }),
      teardown: async () => undefined,
    };
  },
  { settleTimeoutMs: 2000, pollIntervalMs: 10 },
);
