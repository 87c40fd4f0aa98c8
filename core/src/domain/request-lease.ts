/**
 * The run lease of an open request (issue 11): which delivery of a request is running it now.
 * A run takes the lease in a transaction when it begins, renews it while it works and gives it
 * back when it ends; reconcile drives again a request whose lease ran out (its run died). So the
 * lease can be short: a dead run's request is re-driven within a lease plus one reconcile
 * interval, while a live run, however long it works, keeps its request for itself.
 *
 * Pure: the store runs these as the update functions of its transactions on
 * `vmPool/openRequests/{requestId}` (a control-plane-only path, docs/contract.md).
 */

/** `vmPool/openRequests/{requestId}`: the run lease of a request begun and not final. */
export interface OpenRequestEntry {
  /** When the request's result was last written. */
  updatedAt: number;
  /** Until when `runId` holds the request; 0: no run does (it waits for an event). */
  leaseUntil: number;
  runId: string;
}

/** The settings the lease is derived from (the control plane's deploy settings). */
export interface RequestLeaseSettings {
  /** The longest a run's lease may be (`VMPOOL_REQUEST_LEASE_MS`). */
  requestLeaseMs: number;
  /** How often reconcile runs (it re-drives requests whose lease ran out). */
  reconcileIntervalMs: number;
}

export interface RequestLeaseTiming {
  /** How long one renewal holds the request. */
  leaseMs: number;
  /** How often a live run renews it: it must miss three renewals in a row to lose it. */
  renewEveryMs: number;
}

/** A run renews its lease this many times per lease. */
export const LEASE_RENEWALS_PER_LEASE = 4;

/**
 * The lease: `requestLeaseMs`, but never longer than a reconcile interval, so that a request
 * whose run died is re-driven within two reconcile intervals of the death (the lease runs out,
 * the next reconcile takes it), with every interval a deployment sets.
 */
export function requestLeaseTiming(settings: RequestLeaseSettings): RequestLeaseTiming {
  const leaseMs = Math.max(1, Math.min(settings.requestLeaseMs, settings.reconcileIntervalMs));
  return { leaseMs, renewEveryMs: Math.max(1, Math.floor(leaseMs / LEASE_RENEWALS_PER_LEASE)) };
}

/** Reads a stored entry; null when there is none (or it is not one). */
export function readOpenRequestEntry(raw: unknown): OpenRequestEntry | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const entry = raw as Record<string, unknown>;
  const number = (value: unknown) => (typeof value === 'number' ? value : 0);
  return {
    updatedAt: number(entry.updatedAt),
    leaseUntil: number(entry.leaseUntil),
    runId: typeof entry.runId === 'string' ? entry.runId : '',
  };
}

/** Whether a run holds the request at `now` (its lease has not run out). */
export function leaseHeld(entry: OpenRequestEntry | null, now: number): boolean {
  return entry !== null && entry.leaseUntil > now;
}

/**
 * Whether the run that held the request died holding it: it took the lease and neither gave it
 * back nor renewed it in time. Reconcile drives such a request again at once.
 */
export function leaseRanOut(entry: Pick<OpenRequestEntry, 'leaseUntil'>, now: number): boolean {
  return entry.leaseUntil > 0 && entry.leaseUntil < now;
}

/**
 * Taking the lease for `runId` until `until`: the new entry, or null while another run holds an
 * unexpired lease (a duplicate delivery stands back).
 */
export function takeRequestLease(
  current: OpenRequestEntry | null,
  lease: { runId: string; now: number; until: number },
): OpenRequestEntry | null {
  if (leaseHeld(current, lease.now)) return null;
  return {
    updatedAt: current !== null && current.updatedAt > 0 ? current.updatedAt : lease.now,
    leaseUntil: lease.until,
    runId: lease.runId,
  };
}

export type LeaseRenewal =
  | { kind: 'renewed'; entry: OpenRequestEntry }
  /**
   * Another run took the request (this one's lease ran out meanwhile), or finished it (its
   * entry is gone): stop, write nothing.
   */
  | { kind: 'lost' }
  /** The run gave its lease back itself: nothing to hold. */
  | { kind: 'ended' };

/**
 * Renewing `runId`'s lease until `until`. Only the run that holds the entry extends it: one
 * whose lease ran out keeps it as long as no other run took it (taking changes `runId`), but a
 * run that lost it never takes it back.
 */
export function renewRequestLease(
  current: OpenRequestEntry | null,
  runId: string,
  until: number,
): LeaseRenewal {
  if (current === null || current.runId !== runId) return { kind: 'lost' };
  if (current.leaseUntil === 0) return { kind: 'ended' };
  return {
    kind: 'renewed',
    entry: { ...current, leaseUntil: Math.max(current.leaseUntil, until) },
  };
}
