import {
  AWS_REGION_PATTERN,
  EC2_STATES,
  EC2_STATE_CHANGE_DETAIL_TYPE,
  EC2_STATE_CHANGE_SOURCE,
  fail,
  ok,
  type Ec2State,
  type Parsed,
} from '@vmpool/core';

/** What the function needs from an EventBridge "EC2 Instance State-change Notification". */
export interface Ec2StateChange {
  /** EventBridge's event id (duplicates of one delivery share it). */
  eventId: string;
  region: string;
  instanceId: string;
  state: Ec2State;
  /** When EC2 changed the state (ms). */
  time: number;
}

const EC2_INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates the event EventBridge posts (the whole event is the body):
 * `{ id, source: "aws.ec2", "detail-type", region, time, detail: { "instance-id", state } }`.
 * Every problem is reported at once.
 */
export function parseEc2StateChange(raw: unknown): Parsed<Ec2StateChange> {
  if (!isRecord(raw)) return fail(['(root): must be an EventBridge event object']);
  const errors: string[] = [];
  if (raw.source !== EC2_STATE_CHANGE_SOURCE) {
    errors.push(`source: must be ${JSON.stringify(EC2_STATE_CHANGE_SOURCE)}`);
  }
  if (raw['detail-type'] !== EC2_STATE_CHANGE_DETAIL_TYPE) {
    errors.push(`detail-type: must be ${JSON.stringify(EC2_STATE_CHANGE_DETAIL_TYPE)}`);
  }
  const eventId = raw.id;
  if (typeof eventId !== 'string' || eventId === '' || eventId.length > 128) {
    errors.push('id: must be the event id');
  }
  const region = raw.region;
  if (typeof region !== 'string' || !AWS_REGION_PATTERN.test(region)) {
    errors.push('region: must be an AWS region');
  }
  const time = typeof raw.time === 'string' ? Date.parse(raw.time) : Number.NaN;
  if (!Number.isFinite(time)) errors.push('time: must be an ISO 8601 time');
  const detail = isRecord(raw.detail) ? raw.detail : null;
  if (detail === null) errors.push('detail: must be an object');
  const instanceId = detail?.['instance-id'];
  if (detail !== null && (typeof instanceId !== 'string' || !EC2_INSTANCE_ID.test(instanceId))) {
    errors.push('detail.instance-id: must be an EC2 instance id (i-…)');
  }
  const state = detail?.state;
  const states = EC2_STATES.filter((name) => name !== 'unknown');
  if (detail !== null && !(states as readonly unknown[]).includes(state)) {
    errors.push(`detail.state: must be one of ${states.join(', ')}`);
  }
  if (errors.length > 0) return fail(errors);
  return ok({
    eventId: eventId as string,
    region: region as string,
    instanceId: instanceId as string,
    state: state as Ec2State,
    time,
  });
}
