import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describeComputeContract } from '../../../test/contracts/compute-contract';
import { createEc2Compute } from '../../src/adapters/aws/ec2-compute';
import { MOTO_CREDENTIALS, startMoto } from '../support/moto';

const region = 'us-east-1';
const poolTags = { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' };

describeComputeContract(
  'EC2 adapter on moto',
  async () => {
    const moto = await startMoto();
    const images = await new EC2Client({
      region,
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    }).send(new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 5 }));
    const amiId = images.Images?.[0]?.ImageId;
    if (!amiId) throw new Error('moto offers no AMI');
    return {
      // Pages of 5 so that the pagination test needs several DescribeInstances pages.
      compute: createEc2Compute({
        endpoint: moto.endpoint,
        credentials: MOTO_CREDENTIALS,
        describePageSize: 5,
      }),
      region,
      poolTags,
      launchSpec: (overrides = {}) => ({
        amiId,
        instanceType: 't3.large',
        subnetId: '',
        securityGroupId: '',
        keyPairName: '',
        instanceProfile: '',
        userData: '#!/bin/bash\necho vmpool',
        tags: { ...poolTags },
        clientToken: 'contract-default',
        ...overrides,
      }),
      teardown: () => moto.stop(),
    };
  },
  // moto ignores ClientToken, never refuses a state change and tags unknown ids; ec2-faults covers
  // (the ClientToken on the wire, IncorrectInstanceState classified from a real EC2 body).
  { idempotentLaunch: false, enforcesInstanceState: false, tagsCheckInstanceExists: false },
);
