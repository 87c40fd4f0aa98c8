import { z } from 'zod';
import {
  AWS_REGION_PATTERN,
  CAPABILITY_PATTERN,
  COMPETITION_ID_PATTERN,
  INSTANCE_TYPE_PATTERN,
  UID_MAX_LENGTH,
  VM_ID_PATTERN,
} from './ids';
import { fail, formatIssues, ok, parseWith, type Parsed } from './parsed';
import { rtdbList, timestamp } from './rtdb-shapes';

export const REQUEST_ACTIONS = [
  'assign',
  'release',
  'start',
  'stop',
  'reboot',
  'launch',
  'terminate',
  'maintenance',
  'recover',
] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

/**
 * `requestedBy` of the requests the control plane makes itself (with the admin SDK): the
 * schedule's assigns before a show and releases after it. No client may write it (the rules
 * require `requestedBy` to be the writer's uid and refuse this name), so a request carrying it
 * was made by the control plane and is authorised like an admin's.
 */
export const SCHEDULE_REQUESTER = 'schedule';

/** True for a request the control plane made for the schedule. */
export function isScheduleRequest(request: Pick<PoolRequest, 'requestedBy'>): boolean {
  return request.requestedBy === SCHEDULE_REQUESTER;
}

/** Actions a producer may request (for their own competitions); admins may request all. */
export const PRODUCER_REQUEST_ACTIONS = ['assign', 'release'] as const satisfies RequestAction[];

export interface AssignOptions {
  preferredVmId?: string;
  region?: string;
  /** One capability tag the VM must carry, e.g. "4k". */
  capability?: string;
}
export interface ReleaseOptions {
  archiveRecordings?: boolean;
  stopVM?: boolean;
}
export interface LaunchOptions {
  instanceType?: string;
  region?: string;
}
export interface MaintenanceOptions {
  enabled: boolean;
}

/** The options each action accepts; actions not listed here take no options. */
export interface RequestOptions {
  assign: AssignOptions;
  release: ReleaseOptions;
  launch: LaunchOptions;
  maintenance: MaintenanceOptions;
}

interface RequestBase {
  requestedBy: string;
  requestedAt: number;
}
export type AssignRequest = RequestBase & {
  action: 'assign';
  competitionId: string;
  options: AssignOptions;
};
export type ReleaseRequest = RequestBase & {
  action: 'release';
  competitionId: string;
  options: ReleaseOptions;
};
export type StartRequest = RequestBase & { action: 'start'; vmId: string };
export type StopRequest = RequestBase & { action: 'stop'; vmId: string };
export type RebootRequest = RequestBase & { action: 'reboot'; vmId: string };
export type LaunchRequest = RequestBase & { action: 'launch'; options: LaunchOptions };
export type TerminateRequest = RequestBase & { action: 'terminate'; vmId: string };
export type MaintenanceRequest = RequestBase & {
  action: 'maintenance';
  vmId: string;
  options: MaintenanceOptions;
};

/**
 * An admin's Recover of a VM in `error`: the automatic-recovery count starts again and the
 * recovery its cause allows runs now (core's domain/recovery.ts).
 */
export type RecoverRequest = RequestBase & { action: 'recover'; vmId: string };

/** `vmPool/requests/{requestId}` (without its `result` child). */
export type PoolRequest =
  | AssignRequest
  | ReleaseRequest
  | StartRequest
  | StopRequest
  | RebootRequest
  | LaunchRequest
  | TerminateRequest
  | MaintenanceRequest
  | RecoverRequest;

export type PoolRequestOf<A extends RequestAction> = Extract<PoolRequest, { action: A }>;

export const REQUEST_ERROR_CODES = [
  'INVALID_REQUEST',
  'FORBIDDEN',
  'COMPETITION_NOT_FOUND',
  'VM_NOT_FOUND',
  'INVALID_STATE',
  'ALREADY_ASSIGNED',
  'NOT_ASSIGNED',
  'NO_VM_AVAILABLE',
  'CAPACITY_LIMIT',
  'CONFIG_INCOMPLETE',
  'EC2_ERROR',
  'TIMEOUT',
  'INTERNAL',
] as const;
export type RequestErrorCode = (typeof REQUEST_ERROR_CODES)[number];

export const REQUEST_STATES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** States after which a request's result never changes again. */
export const FINAL_REQUEST_STATES = ['succeeded', 'failed'] as const satisfies RequestState[];
export type FinalRequestState = (typeof FINAL_REQUEST_STATES)[number];

/** True for `succeeded` and `failed`; accepts anything, e.g. a raw value read from RTDB. */
export function isFinalRequestState(state: unknown): state is FinalRequestState {
  return (FINAL_REQUEST_STATES as readonly unknown[]).includes(state);
}

/**
 * Whether a request is over: its result (parsed, or as read from RTDB) is final. Null or
 * undefined (no result yet: queued) is not.
 */
export function isFinalResult(result: unknown): boolean {
  return (
    typeof result === 'object' &&
    result !== null &&
    isFinalRequestState((result as { state?: unknown }).state)
  );
}

export const REQUEST_STEP_STATES = ['pending', 'running', 'done', 'failed'] as const;
export type RequestStepState = (typeof REQUEST_STEP_STATES)[number];

export interface RequestStep {
  name: string;
  state: RequestStepState;
  at?: number;
}

/** `vmPool/requests/{requestId}/result`, written by the control plane only. */
export interface RequestResult {
  state: RequestState;
  step: string;
  /** 0..1 */
  progress: number;
  message: string;
  steps?: RequestStep[];
  estimatedReadyAt?: number;
  error?: { code: RequestErrorCode; message: string };
  vmId?: string;
  vmAddress?: string;
  updatedAt: number;
}

const vmId = z.string().regex(VM_ID_PATTERN, { error: 'must be a VM id such as vm-001' });
const competitionId = z
  .string()
  .regex(COMPETITION_ID_PATTERN, { error: 'must be 1..128 letters, digits, _ or -' });
const region = z.string().regex(AWS_REGION_PATTERN, { error: 'must be an AWS region' });
const noOptions = z.preprocess((raw) => raw ?? {}, z.strictObject({}));

const base = {
  requestedBy: z.string().min(1).max(UID_MAX_LENGTH),
  requestedAt: timestamp,
};

const requestSchemas = {
  assign: z.strictObject({
    ...base,
    action: z.literal('assign'),
    competitionId,
    options: z.preprocess(
      (raw) => raw ?? {},
      z.strictObject({
        preferredVmId: vmId.optional(),
        region: region.optional(),
        capability: z
          .string()
          .regex(CAPABILITY_PATTERN, { error: 'must be a short tag such as 4k' })
          .optional(),
      }),
    ),
  }),
  release: z.strictObject({
    ...base,
    action: z.literal('release'),
    competitionId,
    options: z.preprocess(
      (raw) => raw ?? {},
      z.strictObject({ archiveRecordings: z.boolean().optional(), stopVM: z.boolean().optional() }),
    ),
  }),
  start: z.strictObject({ ...base, action: z.literal('start'), vmId, options: noOptions }),
  stop: z.strictObject({ ...base, action: z.literal('stop'), vmId, options: noOptions }),
  reboot: z.strictObject({ ...base, action: z.literal('reboot'), vmId, options: noOptions }),
  launch: z.strictObject({
    ...base,
    action: z.literal('launch'),
    options: z.preprocess(
      (raw) => raw ?? {},
      z.strictObject({
        instanceType: z
          .string()
          .regex(INSTANCE_TYPE_PATTERN, { error: 'must look like family.size, e.g. t3.large' })
          .optional(),
        region: region.optional(),
      }),
    ),
  }),
  terminate: z.strictObject({ ...base, action: z.literal('terminate'), vmId, options: noOptions }),
  maintenance: z.strictObject({
    ...base,
    action: z.literal('maintenance'),
    vmId,
    options: z.strictObject({ enabled: z.boolean() }),
  }),
  recover: z.strictObject({ ...base, action: z.literal('recover'), vmId, options: noOptions }),
} as const;

const actionSchema = z.enum(REQUEST_ACTIONS);

/**
 * Validates `vmPool/requests/{requestId}`: a known action, the fields it needs, its options,
 * sizes, and no extra fields. The control plane's `result` child is ignored. Actions that take
 * no options come back without an `options` field.
 */
export function parsePoolRequest(raw: unknown): Parsed<PoolRequest> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail(['(root): must be an object']);
  }
  const { result: _result, ...fields } = raw as Record<string, unknown>;
  const action = actionSchema.safeParse(fields.action);
  if (!action.success) {
    return fail([`action: must be one of ${REQUEST_ACTIONS.join(', ')}`]);
  }
  const parsed = requestSchemas[action.data].safeParse(fields, { reportInput: true });
  if (!parsed.success) return fail(formatIssues(parsed.error.issues));
  const value = parsed.data as Record<string, unknown>;
  if (!(action.data in OPTION_ACTIONS)) delete value.options;
  return ok(value as unknown as PoolRequest);
}

const OPTION_ACTIONS: Record<keyof RequestOptions, true> = {
  assign: true,
  release: true,
  launch: true,
  maintenance: true,
};

const requestResultSchema = z.object({
  state: z.enum(REQUEST_STATES),
  step: z.string().max(200).default(''),
  progress: z.number().min(0).max(1).default(0),
  message: z.string().max(2000).default(''),
  steps: rtdbList(
    z.object({
      name: z.string().min(1).max(200),
      state: z.enum(REQUEST_STEP_STATES),
      at: timestamp.optional(),
    }),
  ).optional(),
  estimatedReadyAt: timestamp.optional(),
  error: z.object({ code: z.enum(REQUEST_ERROR_CODES), message: z.string().max(2000) }).optional(),
  vmId: vmId.optional(),
  vmAddress: z.string().max(300).optional(),
  updatedAt: timestamp,
});

/** Validates `vmPool/requests/{requestId}/result`. */
export function parseRequestResult(raw: unknown): Parsed<RequestResult> {
  return parseWith(requestResultSchema, raw);
}
