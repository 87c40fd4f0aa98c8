import { z } from 'zod';
import { COMPETITION_ID_PATTERN, VM_ID_PATTERN } from './ids';
import { parseWith, type Parsed } from './parsed';
import { nullable, timestamp } from './rtdb-shapes';
import { FAILOVER_MODES } from './pool-config';

/**
 * Where a competition's failover stands (`vmPool/failovers/{compId}`):
 * - `watching`: its VM has failed since `since`; nothing is done before failoverAfterSeconds.
 * - `offered`: (`confirm` mode) the alert offers the switch; a producer or admin decides.
 * - `alerted`: (`off` mode) only the alert was raised.
 * - `switching`: the switch runs (request `requestId`); `spareVmId` once a spare is claimed.
 * - `switched`: the competition is on `spareVmId`; the failed VM is out of the show.
 * - `abandoned`: the switch could not run (the competition was released or reassigned
 *   meanwhile, or no VM could be had): `detail` says why.
 */
export const FAILOVER_STATES = [
  'watching',
  'offered',
  'alerted',
  'switching',
  'switched',
  'abandoned',
] as const;
export type FailoverState = (typeof FAILOVER_STATES)[number];

/** `vmPool/failovers/{compId}`: written by the control plane only. */
export interface FailoverRecord {
  competitionId: string;
  /** The VM that failed while it held the competition. */
  failedVmId: string;
  state: FailoverState;
  /** When the failure was first seen (the failover waits failoverAfterSeconds from here). */
  since: number;
  /** Why the VM counts as failed, in words. */
  reason: string;
  mode: (typeof FAILOVER_MODES)[number];
  /** The assign request that moves the competition (`failover-…`); null before the switch. */
  requestId: string | null;
  spareVmId: string | null;
  spareAddress: string | null;
  /** `offered`: the spare the offer names ("Switch to vm-00X"); the switch picks again. */
  offeredVmId: string | null;
  /** What the spare got back of the failed VM's state, in words (or that nothing was). */
  restored: string | null;
  /** Who asked for the switch: `failover` (auto) or the uid that confirmed it. */
  switchedBy: string | null;
  /** When the spare was seen live (agent online, show server answering); null until then. */
  liveAt: number | null;
  detail: string | null;
  updatedAt: number;
  // --- the failed VM after the switch (issue 12)
  /**
   * What was done with the failed VM once the show was off it (pool config `failedVmAction`):
   * `rebooted`, `stopped` (a stop was asked), or `left` (nothing to do: EC2 did not run it, it
   * was gone, or it had moved on); null until done.
   */
  failedVmHandled: FailedVmHandled | null;
  // --- end the failed VM
}

/** `FailoverRecord.failedVmHandled` values. */
export const FAILED_VM_HANDLED = ['rebooted', 'stopped', 'left'] as const;
export type FailedVmHandled = (typeof FAILED_VM_HANDLED)[number];

const failoverRecordSchema = z.object({
  competitionId: z.string().regex(COMPETITION_ID_PATTERN),
  failedVmId: z.string().regex(VM_ID_PATTERN),
  state: z.enum(FAILOVER_STATES),
  since: timestamp,
  reason: z.string().max(1000).default(''),
  mode: z.enum(FAILOVER_MODES).default('auto'),
  requestId: nullable(z.string().min(1).max(200)),
  spareVmId: nullable(z.string().regex(VM_ID_PATTERN)),
  spareAddress: nullable(z.string().max(256)),
  offeredVmId: nullable(z.string().regex(VM_ID_PATTERN)),
  restored: nullable(z.string().max(1000)),
  switchedBy: nullable(z.string().max(128)),
  liveAt: nullable(timestamp),
  detail: nullable(z.string().max(1000)),
  updatedAt: timestamp,
  failedVmHandled: nullable(z.enum(FAILED_VM_HANDLED)),
});

export function parseFailoverRecord(raw: unknown): Parsed<FailoverRecord> {
  return parseWith(failoverRecordSchema, raw);
}

/**
 * The assign request a failover submits: one per failure of one VM (a VM holds one competition
 * at a time). At most 62 characters, within the request id pattern.
 */
export function failoverRequestId(failedVmId: string, since: number): string {
  return `failover-${failedVmId}-${since.toString(36)}`;
}

/**
 * `requestedBy` of the assign a failover submits (with the admin SDK). Like `schedule`, no
 * client may write it (the rules refuse the name), so it is authorised like an admin's.
 */
export const FAILOVER_REQUESTER = 'failover';

// --- failover re-check (issue 12)
/**
 * The task queue function (Cloud Tasks) that judges a failing show VM again once
 * `failoverAfterSeconds` has passed, so the switch does not wait for the next reconcile.
 */
export const FAILOVER_RECHECK_FUNCTION = 'failoverRecheck';

/** A re-check's payload: the failure it is about (a record with another `since` is another). */
export interface FailoverRecheckTask {
  competitionId: string;
  vmId: string;
  /** The failover record's `since` when the re-check was scheduled. */
  since: number;
  /**
   * 0 for the re-check due at failoverAfterSeconds; each follow-up while the switch runs (or
   * its spare is not live yet) counts one more, up to FAILOVER_RECHECK_MAX_ROUNDS.
   */
  round: number;
}

/** Follow-up re-checks come this many seconds apart while a switch runs. */
export const FAILOVER_RECHECK_FOLLOW_SECONDS = 5;
/** At most this many follow-ups per failure (then reconcile alone drives it). */
export const FAILOVER_RECHECK_MAX_ROUNDS = 60;

const failoverRecheckTaskSchema = z.object({
  competitionId: z.string().regex(COMPETITION_ID_PATTERN),
  vmId: z.string().regex(VM_ID_PATTERN),
  since: timestamp,
  round: z.number().int().min(0).max(1000).default(0),
});

export function parseFailoverRecheckTask(raw: unknown): Parsed<FailoverRecheckTask> {
  return parseWith(failoverRecheckTaskSchema, raw);
}
// --- end failover re-check
