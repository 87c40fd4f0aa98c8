import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EC2_EVENTS_KEY_HEADER,
  EC2_STATE_CHANGE_DETAIL_TYPE,
  RECORDINGS_PREFIX,
  STATE_EXPORT_PREFIX,
  SSM_SHELL_DOCUMENT,
} from '@vmpool/core';
import type { Template } from 'aws-cdk-lib/assertions';
import { INFRA_OUTPUT_KEYS } from '../src/outputs';
import { VM_PORTS, VmpoolStack } from '../src/stack';
import { onlyResource, resolve, synthTemplate, VALUES } from './template';
import { App } from 'aws-cdk-lib';

let template: Template;
let ids: { vmRole: string; controlPlaneRole: string; eventsKey: string; bucket: string };

beforeAll(() => {
  template = synthTemplate();
  const roles = template.findResources('AWS::IAM::Role');
  const byPrincipal = (principal: string) =>
    Object.keys(roles).find((id) => JSON.stringify(roles[id]).includes(principal))!;
  ids = {
    vmRole: byPrincipal('ec2.amazonaws.com'),
    controlPlaneRole: byPrincipal('accounts.google.com'),
    eventsKey: onlyResource(template, 'AWS::SecretsManager::Secret').id,
    bucket: onlyResource(template, 'AWS::S3::Bucket').id,
  };
});

const ACCOUNT = VALUES['AWS::AccountId'];
const MANAGED_BY = VALUES.PoolTagManagedBy;
const PROJECT = VALUES.PoolTagProject;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/vmpool-control-plane`;

describe("the control plane's role", () => {
  it('is assumed only by the functions service account with a Google ID token for this role', () => {
    const role = onlyResource(
      template,
      'AWS::IAM::Role',
      (p) => p.RoleName === 'vmpool-control-plane',
    );
    expect(resolve(role.properties.AssumeRolePolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: 'accounts.google.com' },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              // AWS maps :aud to the token's azp (the service account), :oaud to its aud.
              'accounts.google.com:aud': VALUES.FunctionsServiceAccountId,
              'accounts.google.com:sub': VALUES.FunctionsServiceAccountId,
              'accounts.google.com:oaud': ROLE_ARN,
            },
          },
        },
      ],
    });
    expect(role.properties.MaxSessionDuration).toBe(3600);
  });

  it('has no long-lived keys anywhere: no IAM users, no access keys', () => {
    expect(template.findResources('AWS::IAM::User')).toEqual({});
    expect(template.findResources('AWS::IAM::AccessKey')).toEqual({});
  });

  it('grants exactly the least-privilege statements the control plane uses', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: ids.controlPlaneRole }] },
    });
    expect(Object.keys(policies)).toHaveLength(1);
    const [policy] = Object.values(policies);
    const ec2 = (region: string, resource: string) =>
      `arn:aws:ec2:${region}:${ACCOUNT}:${resource}`;
    const requestTags = {
      'aws:RequestTag/Project': PROJECT,
      'aws:RequestTag/ManagedBy': MANAGED_BY,
    };
    expect(resolve(policy!.Properties.PolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DescribeInstances',
          Effect: 'Allow',
          Action: ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'],
          Resource: '*',
        },
        {
          Sid: 'LifecycleOfPoolInstances',
          Effect: 'Allow',
          Action: [
            'ec2:StartInstances',
            'ec2:StopInstances',
            'ec2:RebootInstances',
            'ec2:TerminateInstances',
          ],
          Resource: ec2('*', 'instance/*'),
          Condition: { StringEquals: { 'aws:ResourceTag/ManagedBy': MANAGED_BY } },
        },
        {
          Sid: 'LaunchTaggedInstances',
          Effect: 'Allow',
          Action: 'ec2:RunInstances',
          Resource: ec2('us-east-1', 'instance/*'),
          Condition: { StringEquals: { ...requestTags, 'ec2:MetadataHttpTokens': 'required' } },
        },
        {
          Sid: 'LaunchTaggedVolumes',
          Effect: 'Allow',
          Action: 'ec2:RunInstances',
          Resource: ec2('us-east-1', 'volume/*'),
          Condition: { StringEquals: requestTags },
        },
        {
          Sid: 'LaunchIntoThePoolNetwork',
          Effect: 'Allow',
          Action: 'ec2:RunInstances',
          Resource: [
            ec2('us-east-1', `subnet/${VALUES.SubnetId}`),
            ec2('us-east-1', 'security-group/<VmSecurityGroup.GroupId>'),
            ec2('us-east-1', 'network-interface/*'),
            'arn:aws:ec2:us-east-1::image/*',
          ],
        },
        {
          Sid: 'TagOnLaunch',
          Effect: 'Allow',
          Action: 'ec2:CreateTags',
          Resource: [ec2('us-east-1', 'instance/*'), ec2('us-east-1', 'volume/*')],
          Condition: { StringEquals: { 'ec2:CreateAction': 'RunInstances', ...requestTags } },
        },
        {
          Sid: 'TagAdoptedPoolInstances',
          Effect: 'Allow',
          Action: 'ec2:CreateTags',
          Resource: ec2('*', 'instance/*'),
          Condition: {
            StringEquals: { 'aws:ResourceTag/ManagedBy': MANAGED_BY },
            'ForAllValues:StringEquals': { 'aws:TagKeys': ['VmId'] },
          },
        },
        {
          Sid: 'RunCommandOnPoolInstances',
          Effect: 'Allow',
          Action: 'ssm:SendCommand',
          Resource: ec2('*', 'instance/*'),
          Condition: { StringEquals: { 'ssm:resourceTag/ManagedBy': MANAGED_BY } },
        },
        {
          Sid: 'RunTheShellDocumentOnly',
          Effect: 'Allow',
          Action: 'ssm:SendCommand',
          Resource: `arn:aws:ssm:*::document/${SSM_SHELL_DOCUMENT}`,
        },
        {
          Sid: 'ReadCommandResults',
          Effect: 'Allow',
          Action: 'ssm:GetCommandInvocation',
          Resource: '*',
        },
        {
          Sid: 'PassTheVmRoleToEc2',
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: `<${ids.vmRole}.Arn>`,
          Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
        },
        {
          Sid: 'ReadTheEc2EventsKey',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: `<${ids.eventsKey}>`,
        },
      ],
    });
  });

  it('is named after the stack, and a stack name IAM would refuse fails at synth', () => {
    const staging = synthTemplate('vmpool-staging');
    staging.hasResourceProperties('AWS::IAM::Role', { RoleName: 'vmpool-staging-control-plane' });
    expect(() => new VmpoolStack(new App(), 'x', { stackName: 'x'.repeat(60) })).toThrow(
      /IAM refuses/,
    );
  });
});

describe("the VMs' role and instance profile", () => {
  it('is for EC2, with SSM core, S3 list/put under the recordings prefix and the OBS password parameter only', () => {
    const role = template.findResources('AWS::IAM::Role')[ids.vmRole]!;
    expect(resolve(role.Properties.AssumeRolePolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    });
    expect(resolve(role.Properties.ManagedPolicyArns)).toEqual([
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    ]);
    // The one SSM parameter (its name starts with a slash), decrypted through SSM only.
    const obsPasswordArn = 'arn:aws:ssm:us-east-1:111122223333:parameter<ObsPasswordParameter>';
    const [policy] = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: ids.vmRole }] },
      }),
    );
    expect(resolve(policy!.Properties.PolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ListRecordings',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: `<${ids.bucket}.Arn>`,
          Condition: { StringLike: { 's3:prefix': [`${RECORDINGS_PREFIX}/*`] } },
        },
        {
          Sid: 'PutRecordings',
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: `<${ids.bucket}.Arn>/${RECORDINGS_PREFIX}/*`,
        },
        {
          Sid: 'PutAndGetStateExports',
          Effect: 'Allow',
          Action: ['s3:PutObject', 's3:GetObject'],
          Resource: `<${ids.bucket}.Arn>/${STATE_EXPORT_PREFIX}/*`,
        },
        {
          Sid: 'ReadTheObsPassword',
          Effect: 'Allow',
          Action: 'ssm:GetParameter',
          Resource: obsPasswordArn,
        },
        {
          Sid: 'DecryptTheObsPasswordThroughSsm',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: {
            StringEquals: {
              'kms:EncryptionContext:PARAMETER_ARN': obsPasswordArn,
              'kms:ViaService': 'ssm.us-east-1.amazonaws.com',
            },
          },
        },
      ],
    });
    const profile = onlyResource(template, 'AWS::IAM::InstanceProfile');
    expect(profile.properties.Roles).toEqual([{ Ref: ids.vmRole }]);
  });
});

describe('the security group (PRD §2.3)', () => {
  it('opens the show server and SRT to everyone, Nimble stats and NoMachine to the admin CIDR only', () => {
    const group = onlyResource(template, 'AWS::EC2::SecurityGroup');
    expect(group.properties.VpcId).toEqual({ Ref: 'VpcId' });
    const ingress = resolve(group.properties.SecurityGroupIngress) as Record<string, unknown>[];
    const rules = ingress.map(({ IpProtocol, FromPort, ToPort, CidrIp }) => ({
      IpProtocol,
      FromPort,
      ToPort,
      CidrIp,
    }));
    expect(rules).toEqual([
      { IpProtocol: 'tcp', FromPort: 3003, ToPort: 3003, CidrIp: '0.0.0.0/0' },
      { IpProtocol: 'udp', FromPort: 9001, ToPort: 9010, CidrIp: '0.0.0.0/0' },
      { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, CidrIp: VALUES.AdminCidr },
      { IpProtocol: 'tcp', FromPort: 4000, ToPort: 4000, CidrIp: VALUES.AdminCidr },
    ]);
    expect(resolve(group.properties.SecurityGroupEgress)).toEqual([
      { IpProtocol: '-1', CidrIp: '0.0.0.0/0', Description: 'All outbound' },
    ]);
    expect(String(group.properties.GroupDescription)).toMatch(/No SSH \(SSM/);
  });

  it('never opens SSH (22) or the OBS websocket (4455), in any rule of the template', () => {
    const covers = (rule: Record<string, unknown>, port: number) =>
      rule.IpProtocol === '-1' || (Number(rule.FromPort) <= port && port <= Number(rule.ToPort));
    const ingressRules = [
      ...Object.values(template.findResources('AWS::EC2::SecurityGroup')).flatMap(
        (group) => (group.Properties.SecurityGroupIngress ?? []) as Record<string, unknown>[],
      ),
      ...Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map(
        (rule) => rule.Properties as Record<string, unknown>,
      ),
    ];
    expect(ingressRules.length).toBeGreaterThan(0);
    for (const port of [22, VM_PORTS.obsWebsocket]) {
      expect(ingressRules.filter((rule) => covers(rule, port))).toEqual([]);
    }
  });

  it('refuses 0.0.0.0/0 as the admin CIDR', () => {
    const rules = template.toJSON().Rules as Record<string, { Assertions: unknown[] }>;
    expect(resolve(rules.AdminCidrIsNotTheInternet!.Assertions)).toEqual([
      {
        Assert: { 'Fn::Not': [{ 'Fn::Equals': [VALUES.AdminCidr, '0.0.0.0/0'] }] },
        AssertDescription: expect.stringMatching(/must not be 0\.0\.0\.0\/0/),
      },
    ]);
  });
});

describe('the recordings bucket', () => {
  it('is private, encrypted, versioned, kept on stack deletion and moves to cheaper storage', () => {
    const bucket = onlyResource(template, 'AWS::S3::Bucket');
    expect(bucket.resource.DeletionPolicy).toBe('Retain');
    expect(bucket.properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ],
    });
    expect(bucket.properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.properties.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'recordings-to-cheaper-storage',
          Prefix: `${RECORDINGS_PREFIX}/`,
          Status: 'Enabled',
          Transitions: [
            { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
            { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
          ],
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        },
        {
          Id: 'abort-incomplete-uploads',
          Status: 'Enabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
      ],
    });
  });

  it('refuses every request that is not over TLS', () => {
    const policy = onlyResource(template, 'AWS::S3::BucketPolicy');
    expect(resolve(policy.properties.PolicyDocument)).toMatchObject({
      Statement: [
        {
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          Resource: [`<${ids.bucket}.Arn>`, `<${ids.bucket}.Arn>/*`],
        },
      ],
    });
  });
});

describe('EC2 state changes to the HTTPS function', () => {
  it('sends every EC2 instance state change of the region to the function', () => {
    const rule = onlyResource(template, 'AWS::Events::Rule');
    expect(rule.properties.EventPattern).toEqual({
      source: ['aws.ec2'],
      'detail-type': [EC2_STATE_CHANGE_DETAIL_TYPE],
    });
    const destination = onlyResource(template, 'AWS::Events::ApiDestination');
    expect(resolve(rule.properties.Targets)).toEqual([
      expect.objectContaining({
        Arn: `<${destination.id}.Arn>`,
        RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 7200 },
      }),
    ]);
    expect(resolve(destination.properties)).toMatchObject({
      HttpMethod: 'POST',
      InvocationEndpoint: 'https://us-central1-gg-vmpool.cloudfunctions.net/ec2StateChange',
      InvocationRateLimitPerSecond: 10,
    });
  });

  it('authenticates with the generated key in the header the function checks', () => {
    const connection = onlyResource(template, 'AWS::Events::Connection');
    const auth = resolve(connection.properties) as Record<string, unknown>;
    expect(auth.AuthorizationType).toBe('API_KEY');
    expect(auth.AuthParameters).toEqual({
      ApiKeyAuthParameters: {
        ApiKeyName: EC2_EVENTS_KEY_HEADER,
        ApiKeyValue: `{{resolve:secretsmanager:<${ids.eventsKey}>:SecretString:::}}`,
      },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 48, ExcludePunctuation: true }),
    });
  });
});

describe('parameters and outputs', () => {
  it('takes the network, admin CIDR, service account and pool tags as parameters (no lookups)', () => {
    const parameters = template.toJSON().Parameters as Record<string, Record<string, unknown>>;
    expect(parameters.VpcId!.Type).toBe('AWS::EC2::VPC::Id');
    expect(parameters.SubnetId!.Type).toBe('AWS::EC2::Subnet::Id');
    expect(parameters.AdminCidr!.Default).toBeUndefined();
    expect(parameters.FunctionsServiceAccountId!.AllowedPattern).toBe('^\\d{10,30}$');
    expect(parameters.PoolTagProject!.Default).toBe('gymnastics-graphics');
    expect(parameters.PoolTagManagedBy!.Default).toBe('vm-pool-manager');
  });

  it('outputs every value the pool config and the deploy read, under the shared keys', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual(Object.values(INFRA_OUTPUT_KEYS).sort());
    expect(resolve(outputs[INFRA_OUTPUT_KEYS.controlPlaneRoleArn]!.Value)).toBe(
      `<${ids.controlPlaneRole}.Arn>`,
    );
    expect(resolve(outputs[INFRA_OUTPUT_KEYS.subnetId]!.Value)).toBe(VALUES.SubnetId);
    expect(resolve(outputs[INFRA_OUTPUT_KEYS.recordingsPrefix]!.Value)).toBe(RECORDINGS_PREFIX);
    expect(resolve(outputs[INFRA_OUTPUT_KEYS.ec2EventsEndpoint]!.Value)).toBe(
      'https://us-central1-gg-vmpool.cloudfunctions.net/ec2StateChange',
    );
  });
});
