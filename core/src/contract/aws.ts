/**
 * Facts shared by the AWS side of vmpool: the infrastructure (infra/), the control plane's AWS
 * adapters and the EC2 state-change function (functions/), and the VM's commands (core's
 * command catalogue). Each is written once here so the IAM policies grant exactly what the
 * code uses.
 */

/** The one SSM document the control plane runs (`ssm:SendCommand` is granted for it only). */
export const SSM_SHELL_DOCUMENT = 'AWS-RunShellScript';

/**
 * Key prefix of archived recordings in the recordings bucket: `recordings/{competitionId}/…`.
 * The VM role may list and put objects under it and nowhere else.
 */
export const RECORDINGS_PREFIX = 'recordings';

/** The HTTPS function EventBridge calls with EC2 instance state changes. */
export const EC2_EVENTS_FUNCTION = 'ec2StateChange';

/** The header the EventBridge connection sends with the shared key (API key authorization). */
export const EC2_EVENTS_KEY_HEADER = 'x-vmpool-events-key';

/** EventBridge's `source` and `detail-type` of EC2 instance state changes. */
export const EC2_STATE_CHANGE_SOURCE = 'aws.ec2';
export const EC2_STATE_CHANGE_DETAIL_TYPE = 'EC2 Instance State-change Notification';

/** The pool tags the IAM conditions are written for (their values are deployment parameters). */
export const POOL_TAG_KEYS = { project: 'Project', managedBy: 'ManagedBy' } as const;

/** The tag that names a pool instance's VM (`VmId=vm-001`); reconcile adds it to adopted ones. */
export const VM_ID_TAG_KEY = 'VmId';
