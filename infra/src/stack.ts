import {
  Aws,
  CfnOutput,
  CfnParameter,
  CfnRule,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  DEFAULT_POOL_CONFIG,
  EC2_EVENTS_FUNCTION,
  EC2_EVENTS_KEY_HEADER,
  EC2_STATE_CHANGE_DETAIL_TYPE,
  EC2_STATE_CHANGE_SOURCE,
  POOL_TAG_KEYS,
  RECORDINGS_PREFIX,
  SHOW_SERVER_PORT,
  SSM_SHELL_DOCUMENT,
  STATE_EXPORT_PREFIX,
  VM_ID_TAG_KEY,
} from '@vmpool/core';
import { INFRA_OUTPUT_KEYS } from './outputs';

/** Ports of PRD §2.3. The OBS websocket (4455) is never opened: only the show server on the
 * same VM talks to OBS. There is no SSH rule: SSM Run Command and the agent replace SSH. */
/** The SSM SecureString the VMs read the obs-websocket password from (ami/README.md). */
export const OBS_PASSWORD_PARAMETER = '/vmpool/obs-websocket-password';

export const VM_PORTS = {
  showServer: SHOW_SERVER_PORT,
  srt: { from: 9001, to: 9010 },
  nimbleStats: 8080,
  noMachine: 4000,
  obsWebsocket: 4455,
} as const;

/** Lifecycle of archived recordings: cheaper storage as they age. */
export const RECORDINGS_LIFECYCLE = {
  infrequentAccessAfterDays: 30,
  glacierInstantRetrievalAfterDays: 90,
  noncurrentVersionsExpireAfterDays: 30,
  abortIncompleteUploadsAfterDays: 7,
} as const;

/** How fast and how long EventBridge delivers state changes to the function. */
export const EC2_EVENTS_DELIVERY = {
  rateLimitPerSecond: 10,
  retryAttempts: 20,
  maxEventAgeHours: 2,
} as const;

export interface VmpoolStackProps extends StackProps {
  /** The stack name also names the control-plane role: `<stackName>-control-plane`. */
  stackName: string;
}

/** The name of the control-plane role; fixed so the trust policy can name its own ARN. */
export function controlPlaneRoleName(stackName: string): string {
  return `${stackName}-control-plane`;
}

/**
 * Everything vmpool needs in one AWS account and region. Nothing is looked up at synth time:
 * the VPC, subnet, admin CIDR, the functions' Google service account and the pool tags are
 * CloudFormation parameters, so `cdk synth` runs offline.
 */
export class VmpoolStack extends Stack {
  constructor(scope: Construct, id: string, props: VmpoolStackProps) {
    super(scope, id, props);
    const roleName = controlPlaneRoleName(props.stackName);
    if (!/^[\w+=,.@-]{1,64}$/.test(roleName)) {
      throw new Error(
        `stack name ${JSON.stringify(props.stackName)} makes the role name ${roleName}, which IAM refuses (1..64 of letters, digits and +=,.@_-)`,
      );
    }

    // ---- Parameters -------------------------------------------------------------------
    const vpcId = new CfnParameter(this, 'VpcId', {
      type: 'AWS::EC2::VPC::Id',
      description: 'The VPC of the pool VMs (the security group is created in it).',
    });
    const subnetId = new CfnParameter(this, 'SubnetId', {
      type: 'AWS::EC2::Subnet::Id',
      description:
        'The subnet pool VMs launch into (public, with auto-assigned public IPs: producers reach the show server on port 3003).',
    });
    const adminCidr = new CfnParameter(this, 'AdminCidr', {
      type: 'String',
      description: 'The only network that reaches Nimble stats (8080) and NoMachine (4000).',
      allowedPattern: '^(\\d{1,3}\\.){3}\\d{1,3}/(\\d|[12]\\d|3[0-2])$',
      constraintDescription: 'an IPv4 CIDR such as 203.0.113.7/32',
    });
    const functionsServiceAccountId = new CfnParameter(this, 'FunctionsServiceAccountId', {
      type: 'String',
      description:
        "The unique (numeric) id of the Cloud Functions' Google service account: gcloud iam service-accounts describe EMAIL --format='value(uniqueId)'.",
      allowedPattern: '^\\d{10,30}$',
      constraintDescription: 'the numeric unique id of a Google service account',
    });
    const firebaseProjectId = new CfnParameter(this, 'FirebaseProjectId', {
      type: 'String',
      description: 'The Firebase project whose functions receive the EC2 state changes.',
      allowedPattern: '^[a-z][a-z0-9-]{4,28}[a-z0-9]$',
      constraintDescription: 'a Firebase/Google Cloud project id',
    });
    const functionsRegion = new CfnParameter(this, 'FunctionsRegion', {
      type: 'String',
      default: 'us-central1',
      description: 'The region of the Cloud Functions.',
      allowedPattern: '^[a-z]+-[a-z]+\\d$',
    });
    const poolTagProject = new CfnParameter(this, 'PoolTagProject', {
      type: 'String',
      default: DEFAULT_POOL_CONFIG.tags[POOL_TAG_KEYS.project],
      description: `The pool tag ${POOL_TAG_KEYS.project} (vmPool/config tags must carry it).`,
      minLength: 1,
      maxLength: 256,
    });
    const poolTagManagedBy = new CfnParameter(this, 'PoolTagManagedBy', {
      type: 'String',
      default: DEFAULT_POOL_CONFIG.tags[POOL_TAG_KEYS.managedBy],
      description: `The pool tag ${POOL_TAG_KEYS.managedBy}: the control plane may only act on instances carrying it.`,
      minLength: 1,
      maxLength: 256,
    });

    const obsPasswordParameter = new CfnParameter(this, 'ObsPasswordParameter', {
      type: 'String',
      default: OBS_PASSWORD_PARAMETER,
      description:
        'The SSM SecureString parameter holding the obs-websocket password (the VMs read it at boot; the VM role may read this one parameter only).',
      allowedPattern: '^(/[A-Za-z0-9_.-]+)+$',
      maxLength: 1011,
    });

    new CfnRule(this, 'AdminCidrIsNotTheInternet', {
      assertions: [
        {
          assert: Fn.conditionNot(Fn.conditionEquals(adminCidr.valueAsString, '0.0.0.0/0')),
          assertDescription:
            'AdminCidr must not be 0.0.0.0/0: Nimble stats and NoMachine are for admins only.',
        },
      ],
    });

    const poolTags = {
      [POOL_TAG_KEYS.project]: poolTagProject.valueAsString,
      [POOL_TAG_KEYS.managedBy]: poolTagManagedBy.valueAsString,
    };

    // ---- Security group (PRD §2.3) ----------------------------------------------------
    const securityGroup = new ec2.CfnSecurityGroup(this, 'VmSecurityGroup', {
      groupDescription:
        'vmpool streaming VMs: show server and SRT public, Nimble stats and NoMachine from the admin CIDR. No SSH (SSM and the vmpool agent replace it). OBS websocket 4455 stays on the VM.',
      vpcId: vpcId.valueAsString,
      securityGroupIngress: [
        {
          ipProtocol: 'tcp',
          fromPort: VM_PORTS.showServer,
          toPort: VM_PORTS.showServer,
          cidrIp: '0.0.0.0/0',
          description: 'Show server API and socket.io (producers and the show-controller)',
        },
        {
          ipProtocol: 'udp',
          fromPort: VM_PORTS.srt.from,
          toPort: VM_PORTS.srt.to,
          cidrIp: '0.0.0.0/0',
          description: 'SRT camera inputs (Nimble)',
        },
        {
          ipProtocol: 'tcp',
          fromPort: VM_PORTS.nimbleStats,
          toPort: VM_PORTS.nimbleStats,
          cidrIp: adminCidr.valueAsString,
          description: 'Nimble stats API (admins only)',
        },
        {
          ipProtocol: 'tcp',
          fromPort: VM_PORTS.noMachine,
          toPort: VM_PORTS.noMachine,
          cidrIp: adminCidr.valueAsString,
          description: 'NoMachine remote desktop (admins only)',
        },
      ],
      securityGroupEgress: [{ ipProtocol: '-1', cidrIp: '0.0.0.0/0', description: 'All outbound' }],
      tags: [
        { key: 'Name', value: `${props.stackName}-vms` },
        { key: POOL_TAG_KEYS.project, value: poolTagProject.valueAsString },
      ],
    });

    // ---- Recordings bucket ------------------------------------------------------------
    const recordings = new s3.Bucket(this, 'Recordings', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'recordings-to-cheaper-storage',
          prefix: `${RECORDINGS_PREFIX}/`,
          transitions: [
            {
              storageClass: s3.StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(RECORDINGS_LIFECYCLE.infrequentAccessAfterDays),
            },
            {
              storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(RECORDINGS_LIFECYCLE.glacierInstantRetrievalAfterDays),
            },
          ],
          noncurrentVersionExpiration: Duration.days(
            RECORDINGS_LIFECYCLE.noncurrentVersionsExpireAfterDays,
          ),
        },
        {
          id: 'abort-incomplete-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(
            RECORDINGS_LIFECYCLE.abortIncompleteUploadsAfterDays,
          ),
        },
      ],
    });

    // ---- The VMs' role and instance profile -------------------------------------------
    const vmRole = new iam.Role(this, 'VmRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description:
        'vmpool VMs: SSM agent (Run Command replaces SSH) and archiving recordings to S3.',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    vmRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListRecordings',
        actions: ['s3:ListBucket'],
        resources: [recordings.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${RECORDINGS_PREFIX}/*`] } },
      }),
    );
    vmRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PutRecordings',
        actions: ['s3:PutObject'],
        resources: [recordings.arnForObjects(`${RECORDINGS_PREFIX}/*`)],
      }),
    );
    // Show state exports (issue 12): the agent writes OBS's scene collection and profile under
    // state/ while in_use and a spare reads them back. HeadObject (skip an object already there)
    // is authorised by s3:GetObject; nothing outside state/ is readable.
    vmRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PutAndGetStateExports',
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [recordings.arnForObjects(`${STATE_EXPORT_PREFIX}/*`)],
      }),
    );
    // The obs-websocket password: this one SecureString, decrypted through SSM only.
    // The parameter's name starts with a slash: arn:…:parameter/vmpool/obs-websocket-password.
    const obsPasswordArn = `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter${obsPasswordParameter.valueAsString}`;
    vmRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadTheObsPassword',
        actions: ['ssm:GetParameter'],
        resources: [obsPasswordArn],
      }),
    );
    vmRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DecryptTheObsPasswordThroughSsm',
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:ViaService': `ssm.${Aws.REGION}.amazonaws.com`,
            'kms:EncryptionContext:PARAMETER_ARN': obsPasswordArn,
          },
        },
      }),
    );
    const instanceProfile = new iam.CfnInstanceProfile(this, 'VmInstanceProfile', {
      roles: [vmRole.roleName],
    });

    // ---- EC2 state changes → the HTTPS function ---------------------------------------
    const eventsKey = new secretsmanager.Secret(this, 'Ec2EventsKey', {
      description: `Sent by EventBridge as ${EC2_EVENTS_KEY_HEADER} to the ${EC2_EVENTS_FUNCTION} function, which reads it here to check it.`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    const eventsEndpoint = Fn.join('', [
      'https://',
      functionsRegion.valueAsString,
      '-',
      firebaseProjectId.valueAsString,
      `.cloudfunctions.net/${EC2_EVENTS_FUNCTION}`,
    ]);
    const connection = new events.Connection(this, 'Ec2EventsConnection', {
      description: 'vmpool: the shared key header for the EC2 state-change function',
      authorization: events.Authorization.apiKey(EC2_EVENTS_KEY_HEADER, eventsKey.secretValue),
    });
    const destination = new events.ApiDestination(this, 'Ec2EventsDestination', {
      description: 'vmpool: the EC2 state-change Cloud Function',
      connection,
      endpoint: eventsEndpoint,
      httpMethod: events.HttpMethod.POST,
      rateLimitPerSecond: EC2_EVENTS_DELIVERY.rateLimitPerSecond,
    });
    // EC2 state-change events carry no tags: the rule takes every instance of the region and
    // the function ignores instances that are not pool VMs (it looks them up by instance id).
    new events.Rule(this, 'Ec2StateChanges', {
      description: 'vmpool: EC2 instance state changes, so pool VMs update in seconds',
      eventPattern: {
        source: [EC2_STATE_CHANGE_SOURCE],
        detailType: [EC2_STATE_CHANGE_DETAIL_TYPE],
      },
      targets: [
        new targets.ApiDestination(destination, {
          retryAttempts: EC2_EVENTS_DELIVERY.retryAttempts,
          maxEventAge: Duration.hours(EC2_EVENTS_DELIVERY.maxEventAgeHours),
        }),
      ],
    });

    // ---- The control plane's role (web identity federation from Cloud Functions) ------
    const controlPlaneRoleArn = this.formatArn({
      service: 'iam',
      region: '',
      resource: 'role',
      resourceName: roleName,
    });
    // Google ID tokens of a service account carry azp = sub = its unique id and aud = the
    // audience the functions asked the metadata server for (this role's ARN). AWS maps
    // accounts.google.com:aud to azp, :oaud to aud and :sub to sub.
    const controlPlane = new iam.Role(this, 'ControlPlaneRole', {
      roleName,
      description:
        'vmpool control plane (Cloud Functions): assumed with the functions service account Google ID token; no long-lived keys.',
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.WebIdentityPrincipal('accounts.google.com', {
        StringEquals: {
          'accounts.google.com:aud': functionsServiceAccountId.valueAsString,
          'accounts.google.com:sub': functionsServiceAccountId.valueAsString,
          'accounts.google.com:oaud': controlPlaneRoleArn,
        },
      }),
    });

    const instances = this.formatArn({
      service: 'ec2',
      region: '*',
      resource: 'instance',
      resourceName: '*',
    });
    const regional = (resource: string, name: string, account = Aws.ACCOUNT_ID) =>
      this.formatArn({ service: 'ec2', account, resource, resourceName: name });
    const requestTags = {
      [`aws:RequestTag/${POOL_TAG_KEYS.project}`]: poolTags[POOL_TAG_KEYS.project],
      [`aws:RequestTag/${POOL_TAG_KEYS.managedBy}`]: poolTags[POOL_TAG_KEYS.managedBy],
    };
    const managedByPool = {
      [`aws:ResourceTag/${POOL_TAG_KEYS.managedBy}`]: poolTags[POOL_TAG_KEYS.managedBy],
    };

    const statements: iam.PolicyStatement[] = [
      new iam.PolicyStatement({
        sid: 'DescribeInstances',
        // Describe actions support no resource-level permissions. DescribeInstanceStatus: the
        // status checks failover reads for the VMs on a show (issue 12).
        actions: ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'LifecycleOfPoolInstances',
        actions: [
          'ec2:StartInstances',
          'ec2:StopInstances',
          'ec2:RebootInstances',
          'ec2:TerminateInstances',
        ],
        resources: [instances],
        conditions: { StringEquals: managedByPool },
      }),
      new iam.PolicyStatement({
        sid: 'LaunchTaggedInstances',
        actions: ['ec2:RunInstances'],
        resources: [regional('instance', '*')],
        conditions: { StringEquals: { ...requestTags, 'ec2:MetadataHttpTokens': 'required' } },
      }),
      new iam.PolicyStatement({
        sid: 'LaunchTaggedVolumes',
        actions: ['ec2:RunInstances'],
        resources: [regional('volume', '*')],
        conditions: { StringEquals: requestTags },
      }),
      new iam.PolicyStatement({
        sid: 'LaunchIntoThePoolNetwork',
        actions: ['ec2:RunInstances'],
        resources: [
          regional('subnet', subnetId.valueAsString),
          regional('security-group', securityGroup.attrGroupId),
          regional('network-interface', '*'),
          regional('image', '*', ''),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'TagOnLaunch',
        actions: ['ec2:CreateTags'],
        resources: [regional('instance', '*'), regional('volume', '*')],
        conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances', ...requestTags } },
      }),
      new iam.PolicyStatement({
        sid: 'TagAdoptedPoolInstances',
        // Reconcile names an adopted instance with its VmId tag; no other tag may change.
        actions: ['ec2:CreateTags'],
        resources: [instances],
        conditions: {
          StringEquals: managedByPool,
          'ForAllValues:StringEquals': { 'aws:TagKeys': [VM_ID_TAG_KEY] },
        },
      }),
      new iam.PolicyStatement({
        sid: 'RunCommandOnPoolInstances',
        actions: ['ssm:SendCommand'],
        resources: [instances],
        conditions: {
          StringEquals: {
            [`ssm:resourceTag/${POOL_TAG_KEYS.managedBy}`]: poolTags[POOL_TAG_KEYS.managedBy],
          },
        },
      }),
      new iam.PolicyStatement({
        sid: 'RunTheShellDocumentOnly',
        actions: ['ssm:SendCommand'],
        resources: [
          this.formatArn({
            service: 'ssm',
            region: '*',
            account: '',
            resource: 'document',
            resourceName: SSM_SHELL_DOCUMENT,
          }),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'ReadCommandResults',
        // GetCommandInvocation supports no resource-level permissions.
        actions: ['ssm:GetCommandInvocation'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'PassTheVmRoleToEc2',
        actions: ['iam:PassRole'],
        resources: [vmRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        sid: 'ReadTheEc2EventsKey',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [eventsKey.secretArn],
      }),
    ];
    new iam.Policy(this, 'ControlPlanePolicy', {
      roles: [controlPlane],
      document: new iam.PolicyDocument({ statements }),
    });

    // ---- Outputs (what vmPool/config and the functions' settings need) ---------------
    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description });
    const K = INFRA_OUTPUT_KEYS;
    output(K.region, Aws.REGION, 'vmPool/config awsRegion');
    output(K.accountId, Aws.ACCOUNT_ID, 'The pool account (VMPOOL_AWS_ACCOUNT_ID)');
    output(
      K.obsPasswordParameter,
      obsPasswordParameter.valueAsString,
      'The obs-websocket password parameter (user data obs-websocket-password-parameter)',
    );
    output(K.subnetId, subnetId.valueAsString, 'vmPool/config subnetId');
    output(K.securityGroupId, securityGroup.attrGroupId, 'vmPool/config securityGroupId');
    output(K.instanceProfileName, instanceProfile.ref, 'vmPool/config instanceProfile');
    output(K.vmRoleArn, vmRole.roleArn, 'The VMs role');
    output(K.recordingsBucket, recordings.bucketName, 'Archive bucket (agent archive-bucket)');
    output(K.recordingsPrefix, RECORDINGS_PREFIX, 'Key prefix of archived recordings');
    output(
      K.controlPlaneRoleArn,
      controlPlane.roleArn,
      'The role the functions assume (VMPOOL_AWS_ROLE_ARN)',
    );
    output(
      K.ec2EventsSecretArn,
      eventsKey.secretArn,
      'The EC2 events key (VMPOOL_EC2_EVENTS_SECRET_ARN)',
    );
    output(K.ec2EventsEndpoint, eventsEndpoint, 'Where EventBridge sends EC2 state changes');
    output(
      K.poolTagProject,
      poolTagProject.valueAsString,
      `vmPool/config tags.${POOL_TAG_KEYS.project}`,
    );
    output(
      K.poolTagManagedBy,
      poolTagManagedBy.valueAsString,
      `vmPool/config tags.${POOL_TAG_KEYS.managedBy}`,
    );
  }
}
