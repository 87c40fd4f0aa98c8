/**
 * The compute port: everything the control plane asks of a cloud (EC2 in production, moto in
 * tests, local agent processes in the local stack). One contract suite runs against every
 * adapter, so they behave alike.
 */
import type { Ec2State } from '../contract/vm-record';

/** One instance as the provider describes it; `state` uses the contract's `EC2_STATES`. */
export interface ComputeInstance {
  instanceId: string;
  region: string;
  state: Ec2State;
  publicIp: string | null;
  privateIp: string | null;
  publicDns: string | null;
  instanceType: string;
  availabilityZone: string | null;
  /** ms epoch, null when unknown */
  launchTime: number | null;
  tags: Record<string, string>;
}

export interface LaunchSpec {
  amiId: string;
  instanceType: string;
  subnetId: string;
  securityGroupId: string;
  keyPairName: string;
  instanceProfile: string;
  userData: string;
  /** pool tags plus the VmId tag; applied at launch (TagSpecifications) */
  tags: Record<string, string>;
  /** idempotency token so that a retried launch never creates two instances */
  clientToken: string;
}

export interface ComputePort {
  /** Every instance carrying all `poolTags`, across all pages: one logical call per region. */
  describePoolInstances(
    region: string,
    poolTags: Record<string, string>,
  ): Promise<ComputeInstance[]>;
  startInstance(region: string, instanceId: string): Promise<void>;
  stopInstance(region: string, instanceId: string): Promise<void>;
  rebootInstance(region: string, instanceId: string): Promise<void>;
  launchInstance(region: string, spec: LaunchSpec): Promise<ComputeInstance>;
  terminateInstance(region: string, instanceId: string): Promise<void>;
  tagInstance(region: string, instanceId: string, tags: Record<string, string>): Promise<void>;
  // --- status checks (issue 12: a failure signal for failover)
  /**
   * EC2's instance and system status checks of these instances (DescribeInstanceStatus with
   * IncludeAllInstances), in any state; ids EC2 does not know are left out. Callers pass the
   * few VMs they judge, never the whole account.
   */
  describeInstanceStatus(region: string, instanceIds: string[]): Promise<InstanceStatusChecks[]>;
  // --- end status checks
}

// --- status checks (issue 12)
/**
 * The summary of an EC2 status check (`InstanceStatus.Status`, `SystemStatus.Status`):
 * `impaired` is a failed check; `initializing` after a start; `not-applicable` when the instance
 * is not running; `insufficient-data` while EC2 cannot tell.
 */
export const STATUS_CHECK_VALUES = [
  'ok',
  'impaired',
  'insufficient-data',
  'not-applicable',
  'initializing',
] as const;
export type StatusCheckValue = (typeof STATUS_CHECK_VALUES)[number];

/** One instance's status checks as DescribeInstanceStatus reports them. */
export interface InstanceStatusChecks {
  instanceId: string;
  state: Ec2State;
  /** The instance (guest OS reachability) check. */
  instanceStatus: StatusCheckValue;
  /** The system (AWS host and network) check. */
  systemStatus: StatusCheckValue;
}

/** EC2's status value as a StatusCheckValue; anything unknown counts as `insufficient-data`. */
export function toStatusCheckValue(value: string | undefined): StatusCheckValue {
  return (STATUS_CHECK_VALUES as readonly string[]).includes(value ?? '')
    ? (value as StatusCheckValue)
    : 'insufficient-data';
}
// --- end status checks

export const COMPUTE_ERROR_CODES = [
  /** RequestLimitExceeded, Throttling: retry later */
  'THROTTLED',
  /** InsufficientInstanceCapacity, InstanceLimitExceeded…: retry later or elsewhere */
  'CAPACITY',
  /** IncorrectInstanceState: the instance is not in a state that allows this */
  'WRONG_STATE',
  /** InvalidInstanceID.NotFound / Malformed */
  'NOT_FOUND',
  /** bad AMI, subnet, security group, key pair, profile, parameter */
  'INVALID_CONFIG',
  /** credentials or permissions */
  'AUTH',
  /** network errors, 5xx */
  'UNAVAILABLE',
  'UNKNOWN',
] as const;
export type ComputeErrorCode = (typeof COMPUTE_ERROR_CODES)[number];

const RETRYABLE: ReadonlySet<ComputeErrorCode> = new Set(['THROTTLED', 'CAPACITY', 'UNAVAILABLE']);

/** A classified cloud error: callers decide on `code` and `retryable`, never on message text. */
export class ComputeError extends Error {
  readonly code: ComputeErrorCode;
  readonly retryable: boolean;
  /** the provider's own error code, e.g. `IncorrectInstanceState` */
  readonly providerCode: string | undefined;

  constructor(code: ComputeErrorCode, message: string, providerCode?: string) {
    super(message);
    this.name = 'ComputeError';
    this.code = code;
    this.retryable = RETRYABLE.has(code);
    this.providerCode = providerCode;
  }
}

export function isComputeError(error: unknown): error is ComputeError {
  return error instanceof ComputeError;
}
