import {
  EC2Client,
  CreateTagsCommand,
  DescribeInstanceStatusCommand,
  RebootInstancesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  paginateDescribeInstances,
  type Filter,
  type Instance,
  type InstanceStatus,
  type RunInstancesCommandInput,
  type Tag,
} from '@aws-sdk/client-ec2';
import { EC2_STATES, type Ec2State } from '@vmpool/core';
import {
  ComputeError,
  isComputeError,
  toStatusCheckValue,
  type ComputeInstance,
  type ComputePort,
  type InstanceStatusChecks,
  type LaunchSpec,
} from '@vmpool/core/ports';
import { clientConfig, perRegionCache, type AwsClientOptions } from './aws-client-options';
import { classifyAwsError } from './classify-error';

export interface Ec2ComputeOptions extends AwsClientOptions {
  /** DescribeInstances page size (5..1000); default 1000, tests use small pages */
  describePageSize?: number;
}

/** Every state but `terminated`: a terminated instance lingers in EC2 for an hour but is gone. */
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down'];

export function toInstanceState(name: string | undefined): Ec2State {
  return (EC2_STATES as readonly string[]).includes(name ?? '') ? (name as Ec2State) : 'unknown';
}

function emptyToNull(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

export function toComputeInstance(region: string, instance: Instance): ComputeInstance {
  const tags: Record<string, string> = {};
  for (const tag of instance.Tags ?? []) {
    if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  }
  return {
    instanceId: instance.InstanceId ?? '',
    region,
    state: toInstanceState(instance.State?.Name),
    publicIp: emptyToNull(instance.PublicIpAddress),
    privateIp: emptyToNull(instance.PrivateIpAddress),
    publicDns: emptyToNull(instance.PublicDnsName),
    instanceType: instance.InstanceType ?? 'unknown',
    availabilityZone: emptyToNull(instance.Placement?.AvailabilityZone),
    launchTime: instance.LaunchTime ? instance.LaunchTime.getTime() : null,
    tags,
  };
}

function toTags(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function poolFilters(poolTags: Record<string, string>): Filter[] {
  return [
    ...Object.entries(poolTags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] })),
    { Name: 'instance-state-name', Values: LIVE_STATES },
  ];
}

/** RunInstances input for one VM; optional network and identity settings are sent only when set. */
export function runInstancesInput(spec: LaunchSpec): RunInstancesCommandInput {
  const tags = toTags(spec.tags);
  return {
    ImageId: spec.amiId,
    InstanceType: spec.instanceType as RunInstancesCommandInput['InstanceType'],
    MinCount: 1,
    MaxCount: 1,
    ClientToken: spec.clientToken,
    ...(spec.subnetId ? { SubnetId: spec.subnetId } : {}),
    ...(spec.securityGroupId ? { SecurityGroupIds: [spec.securityGroupId] } : {}),
    ...(spec.keyPairName ? { KeyName: spec.keyPairName } : {}),
    ...(spec.instanceProfile ? { IamInstanceProfile: { Name: spec.instanceProfile } } : {}),
    ...(spec.userData ? { UserData: Buffer.from(spec.userData, 'utf8').toString('base64') } : {}),
    // The agent reads its identity through IMDSv2 only.
    MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: tags },
    ],
  };
}

// --- status checks (issue 12)
/** DescribeInstanceStatus takes at most 100 instance ids a call. */
const STATUS_IDS_PER_CALL = 100;

export function toInstanceStatusChecks(status: InstanceStatus): InstanceStatusChecks {
  return {
    instanceId: status.InstanceId ?? '',
    state: toInstanceState(status.InstanceState?.Name),
    instanceStatus: toStatusCheckValue(status.InstanceStatus?.Status),
    systemStatus: toStatusCheckValue(status.SystemStatus?.Status),
  };
}
function isNotFound(error: unknown): boolean {
  return isComputeError(error) && error.code === 'NOT_FOUND';
}
// --- end status checks

/** The compute port over EC2. Every SDK error leaves as a classified ComputeError. */
export function createEc2Compute(options: Ec2ComputeOptions = {}): ComputePort {
  const client = perRegionCache((region) => {
    const ec2 = new EC2Client(clientConfig(region, options));
    if (options.callCounter) ec2.middlewareStack.use(options.callCounter.plugin());
    return ec2;
  });
  const pageSize = options.describePageSize ?? 1000;

  async function call<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw classifyAwsError(error, action);
    }
  }

  return {
    describePoolInstances: (region, poolTags) =>
      call('DescribeInstances', async () => {
        if (Object.keys(poolTags).length === 0) {
          // Without a tag filter every instance of the account would count as the pool.
          throw new ComputeError(
            'INVALID_CONFIG',
            'The pool has no tags: refusing to treat every instance in the account as the pool',
          );
        }
        const found: ComputeInstance[] = [];
        const pages = paginateDescribeInstances(
          { client: client(region), pageSize },
          { Filters: poolFilters(poolTags) },
        );
        for await (const page of pages) {
          for (const reservation of page.Reservations ?? []) {
            for (const instance of reservation.Instances ?? []) {
              const mapped = toComputeInstance(region, instance);
              if (mapped.state !== 'terminated') found.push(mapped);
            }
          }
        }
        return found;
      }),

    startInstance: (region, instanceId) =>
      call(`StartInstances ${instanceId}`, async () => {
        await client(region).send(new StartInstancesCommand({ InstanceIds: [instanceId] }));
      }),

    stopInstance: (region, instanceId) =>
      call(`StopInstances ${instanceId}`, async () => {
        await client(region).send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
      }),

    rebootInstance: (region, instanceId) =>
      call(`RebootInstances ${instanceId}`, async () => {
        await client(region).send(new RebootInstancesCommand({ InstanceIds: [instanceId] }));
      }),

    terminateInstance: (region, instanceId) =>
      call(`TerminateInstances ${instanceId}`, async () => {
        await client(region).send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
      }),

    tagInstance: (region, instanceId, tags) =>
      call(`CreateTags ${instanceId}`, async () => {
        await client(region).send(
          new CreateTagsCommand({ Resources: [instanceId], Tags: toTags(tags) }),
        );
      }),

    // --- status checks (issue 12)
    describeInstanceStatus: async (region, instanceIds) => {
      const statusOf = (ids: string[]) =>
        call(`DescribeInstanceStatus ${ids.join(',')}`, async () => {
          const output = await client(region).send(
            // IncludeAllInstances: stopped and pending instances too (not-applicable checks).
            new DescribeInstanceStatusCommand({ InstanceIds: ids, IncludeAllInstances: true }),
          );
          return (output.InstanceStatuses ?? []).map(toInstanceStatusChecks);
        });
      const found: InstanceStatusChecks[] = [];
      for (let at = 0; at < instanceIds.length; at += STATUS_IDS_PER_CALL) {
        const ids = instanceIds.slice(at, at + STATUS_IDS_PER_CALL);
        try {
          found.push(...(await statusOf(ids)));
        } catch (error) {
          // One unknown id fails the whole call (InvalidInstanceID.NotFound): ask one by one and
          // leave out the ones EC2 does not know.
          if (!isNotFound(error)) throw error;
          if (ids.length === 1) continue;
          for (const id of ids) {
            try {
              found.push(...(await statusOf([id])));
            } catch (single) {
              if (!isNotFound(single)) throw single;
            }
          }
        }
      }
      return found.filter((status) => instanceIds.includes(status.instanceId));
    },
    // --- end status checks

    launchInstance: (region, spec) =>
      call('RunInstances', async () => {
        const output = await client(region).send(new RunInstancesCommand(runInstancesInput(spec)));
        const instance = output.Instances?.[0];
        if (!instance?.InstanceId) {
          throw new Error('RunInstances returned no instance');
        }
        return toComputeInstance(region, instance);
      }),
  };
}
