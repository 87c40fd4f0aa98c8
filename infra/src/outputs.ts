import { AWS_REGION_PATTERN, fail, ok, type Parsed } from '@vmpool/core';

/**
 * The outputs of the vmpool stack, as `cdk deploy --outputs-file infra/outputs.json` writes
 * them (`{ "<stack name>": { "<output key>": "<value>" } }`). The stack declares its outputs
 * under these keys and `npm run deploy` reads them back with `parseInfraOutputs`: one module,
 * so a renamed output cannot go unnoticed. (Outputs and parameters share CDK's construct ids,
 * hence `VmSubnetId` beside the `SubnetId` parameter.)
 */
export const INFRA_OUTPUT_KEYS = {
  region: 'Region',
  accountId: 'AccountId',
  obsPasswordParameter: 'ObsPasswordParameterName',
  subnetId: 'VmSubnetId',
  securityGroupId: 'SecurityGroupId',
  instanceProfileName: 'InstanceProfileName',
  vmRoleArn: 'VmRoleArn',
  recordingsBucket: 'RecordingsBucket',
  recordingsPrefix: 'RecordingsPrefix',
  controlPlaneRoleArn: 'ControlPlaneRoleArn',
  ec2EventsSecretArn: 'Ec2EventsSecretArn',
  ec2EventsEndpoint: 'Ec2EventsEndpoint',
  poolTagProject: 'PoolTagsProject',
  poolTagManagedBy: 'PoolTagsManagedBy',
} as const;

export type InfraOutputs = { [Field in keyof typeof INFRA_OUTPUT_KEYS]: string } & {
  /** The stack these outputs belong to. */
  stackName: string;
};

/** The stack's name unless `cdk … -c stackName=NAME` chose another. */
export const DEFAULT_STACK_NAME = 'vmpool';

/** Where `npm run infra:deploy` writes the outputs (relative to the repository root). */
export const INFRA_OUTPUTS_FILE = 'infra/outputs.json';

const PARTITION = 'aws(-cn|-us-gov|-iso[a-z]?)?';
const ACCOUNT = '\\d{12}';
const REGION = AWS_REGION_PATTERN.source.slice(1, -1);

const CHECKS: { [Field in keyof typeof INFRA_OUTPUT_KEYS]: { pattern: RegExp; shape: string } } = {
  region: { pattern: AWS_REGION_PATTERN, shape: 'an AWS region such as us-east-1' },
  accountId: { pattern: /^\d{12}$/, shape: 'an AWS account id (12 digits)' },
  obsPasswordParameter: {
    pattern: /^(\/[A-Za-z0-9_.-]+)+$/,
    shape: 'an SSM parameter name (/vmpool/…)',
  },
  subnetId: { pattern: /^subnet-[0-9a-f]{8,17}$/, shape: 'a subnet id (subnet-…)' },
  securityGroupId: { pattern: /^sg-[0-9a-f]{8,17}$/, shape: 'a security group id (sg-…)' },
  instanceProfileName: { pattern: /^[\w+=,.@-]{1,128}$/, shape: 'an IAM instance profile name' },
  vmRoleArn: {
    pattern: new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:role/[\\w+=,.@/-]{1,512}$`),
    shape: 'an IAM role ARN',
  },
  recordingsBucket: {
    pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    shape: 'an S3 bucket name',
  },
  recordingsPrefix: { pattern: /^[A-Za-z0-9_-]+$/, shape: 'an S3 key prefix without slashes' },
  controlPlaneRoleArn: {
    pattern: new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:role/[\\w+=,.@/-]{1,512}$`),
    shape: 'an IAM role ARN',
  },
  ec2EventsSecretArn: {
    pattern: new RegExp(`^arn:${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:.+$`),
    shape: 'a Secrets Manager secret ARN',
  },
  ec2EventsEndpoint: {
    pattern: /^https:\/\/[a-z0-9.-]+\/[A-Za-z0-9_-]+$/,
    shape: 'the https URL of the EC2 state-change function',
  },
  poolTagProject: { pattern: /^.{1,256}$/, shape: 'a tag value' },
  poolTagManagedBy: { pattern: /^.{1,256}$/, shape: 'a tag value' },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates an outputs file's content. With several stacks in the file, `stackName` picks one
 * (default: the only stack, or `vmpool`). Every missing or malformed output is reported.
 */
export function parseInfraOutputs(raw: unknown, stackName?: string): Parsed<InfraOutputs> {
  if (!isRecord(raw)) return fail(['the outputs file must hold a JSON object of stacks']);
  const stacks = Object.keys(raw);
  let chosen = stackName;
  if (chosen === undefined) {
    if (stacks.length === 1) chosen = stacks[0];
    else if (stacks.includes(DEFAULT_STACK_NAME)) chosen = DEFAULT_STACK_NAME;
    else if (stacks.length === 0) return fail(['the outputs file holds no stack']);
    else {
      return fail([`the outputs file holds several stacks (${stacks.join(', ')}): choose one`]);
    }
  }
  const outputs = raw[chosen as string];
  if (!isRecord(outputs)) {
    return fail([
      `the outputs file has no stack ${JSON.stringify(chosen)} (it has: ${stacks.join(', ') || 'none'})`,
    ]);
  }
  const errors: string[] = [];
  const values: Partial<Record<keyof typeof INFRA_OUTPUT_KEYS, string>> = {};
  for (const [field, key] of Object.entries(INFRA_OUTPUT_KEYS) as [
    keyof typeof INFRA_OUTPUT_KEYS,
    string,
  ][]) {
    const value = outputs[key];
    const { pattern, shape } = CHECKS[field];
    if (value === undefined) errors.push(`${key}: missing`);
    else if (typeof value !== 'string' || !pattern.test(value)) {
      errors.push(`${key}: must be ${shape}, got ${JSON.stringify(value)}`);
    } else values[field] = value;
  }
  if (errors.length > 0) return fail(errors);
  return ok({ ...(values as Record<keyof typeof INFRA_OUTPUT_KEYS, string>), stackName: chosen! });
}
