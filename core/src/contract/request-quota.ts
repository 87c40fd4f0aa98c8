// Rate limits on pool requests (issue 9): how many requests one user may make per minute and
// how many may be open (not final) at once. `vmPool/requestQuota/{uid}` holds both:
//   slots/{s0..}  `{ at, requestId }`: the user's requests of the last minute, one slot each.
//                 A client claims a free slot in the same multi-path update as the request row
//                 (the rules check it: a slot is free when absent or older than the window);
//                 the HTTPS API and the control plane claim one with a transaction.
//   last          `{ requestId, slot }`: names the row that this update's slot is for, so one
//                 claimed slot admits exactly one row.
//   open/{requestId}  admission time: written and removed by the control plane only.
// The numbers live here and only here; database.rules.json spells the slot keys as patterns
// (test/rules checks that they agree).
import { PUSH_ID_PATTERN } from './ids';

/** The window of the per-minute limit. */
export const REQUEST_RATE_WINDOW_MS = 60_000;

export interface RequestLimits {
  /** Requests accepted in any window of `REQUEST_RATE_WINDOW_MS`. */
  readonly perMinute: number;
  /** Requests admitted and not final at the same time. */
  readonly open: number;
}

/**
 * Per role. A producer assigns and releases a few shows (two requests each); an admin may act
 * on many VMs in a row. The schedule's requests (`requestedBy: "schedule"`) are not limited.
 */
export const REQUEST_LIMITS = {
  producer: { perMinute: 10, open: 5 },
  admin: { perMinute: 60, open: 60 },
} as const satisfies Record<string, RequestLimits>;

export type RequestLimitRole = keyof typeof REQUEST_LIMITS;

/** What a refused request's error code is (`result.error.code`, the API's 429). */
export const RATE_LIMITED = 'RATE_LIMITED';

/** `s0`, `s1`, … (not bare digits: RTDB would turn a node of integer keys into an array). */
export function quotaSlotKey(index: number): string {
  return `s${String(index)}`;
}

/** Every slot key a role may use, in order. */
export function quotaSlotKeys(limits: RequestLimits): string[] {
  return Array.from({ length: limits.perMinute }, (_, index) => quotaSlotKey(index));
}

export interface QuotaSlot {
  at: number;
  requestId: string;
}

/** `vmPool/requestQuota/{uid}` as read (lenient: anything unreadable counts as absent). */
export interface RequestQuota {
  slots: Record<string, QuotaSlot>;
  /** Admitted, not final requests: id → admission time (control plane). */
  open: Record<string, number>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a stored quota node; a missing or partly unreadable one reads as empty parts. */
export function readRequestQuota(raw: unknown): RequestQuota {
  const quota: RequestQuota = { slots: {}, open: {} };
  if (!isObject(raw)) return quota;
  if (isObject(raw.slots)) {
    for (const [key, slot] of Object.entries(raw.slots)) {
      if (
        isObject(slot) &&
        typeof slot.at === 'number' &&
        typeof slot.requestId === 'string' &&
        /^s\d+$/.test(key)
      ) {
        quota.slots[key] = { at: slot.at, requestId: slot.requestId };
      }
    }
  }
  if (isObject(raw.open)) {
    for (const [requestId, at] of Object.entries(raw.open)) {
      if (typeof at === 'number' && PUSH_ID_PATTERN.test(requestId)) quota.open[requestId] = at;
    }
  }
  return quota;
}

export type SlotClaim =
  | { ok: true; slot: string; /** The request held this slot already. */ already: boolean }
  | { ok: false; retryAfterMs: number };

/**
 * A slot for `requestId` at `now`: the one it holds already, else the first absent slot, else
 * the oldest one that has left the window. None free: refused, with when the oldest frees up.
 */
export function claimQuotaSlot(
  quota: RequestQuota,
  limits: RequestLimits,
  requestId: string,
  now: number,
): SlotClaim {
  const keys = quotaSlotKeys(limits);
  for (const key of keys) {
    if (quota.slots[key]?.requestId === requestId) return { ok: true, slot: key, already: true };
  }
  const absent = keys.find((key) => quota.slots[key] === undefined);
  if (absent !== undefined) return { ok: true, slot: absent, already: false };
  let oldest: { key: string; at: number } | null = null;
  for (const key of keys) {
    const at = quota.slots[key]?.at ?? 0;
    if (oldest === null || at < oldest.at) oldest = { key, at };
  }
  if (oldest === null) return { ok: false, retryAfterMs: REQUEST_RATE_WINDOW_MS };
  if (oldest.at <= now - REQUEST_RATE_WINDOW_MS)
    return { ok: true, slot: oldest.key, already: false };
  return { ok: false, retryAfterMs: oldest.at + REQUEST_RATE_WINDOW_MS - now };
}

/** How many requests of the user are admitted and not final. */
export function openRequestCount(quota: RequestQuota): number {
  return Object.keys(quota.open).length;
}

/** The message of a request refused by the per-minute limit. */
export function perMinuteLimitMessage(limits: RequestLimits, retryAfterMs: number): string {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return `Too many requests: at most ${String(limits.perMinute)} per minute; try again in ${String(seconds)} s`;
}

/** The message of a request refused by the open-requests limit. */
export function openLimitMessage(limits: RequestLimits): string {
  return `Too many open requests: at most ${String(limits.open)} may run at once; wait until one finishes`;
}

export type RequestRowWrite =
  { ok: true; slot: string; update: Record<string, unknown> } | { ok: false; retryAfterMs: number };

/**
 * What a client writes to create request `requestId` of `uid` (one multi-path update at the
 * database root): the row, a free per-minute slot stamped with the server time, and the
 * pointer naming the row. `serverTime` is the SDK's server-timestamp placeholder; `now` the
 * client's estimate of the server's time (to judge which slots have left the window). Refused
 * (no free slot): when the oldest frees up.
 */
export function requestRowWrite(
  quota: RequestQuota,
  limits: RequestLimits,
  uid: string,
  requestId: string,
  row: Record<string, unknown>,
  now: number,
  serverTime: unknown,
): RequestRowWrite {
  const claim = claimQuotaSlot(quota, limits, requestId, now);
  if (!claim.ok) return claim;
  const quotaPath = `vmPool/requestQuota/${uid}`;
  return {
    ok: true,
    slot: claim.slot,
    update: {
      [`vmPool/requests/${requestId}`]: row,
      [`${quotaPath}/slots/${claim.slot}`]: { at: serverTime, requestId },
      [`${quotaPath}/last`]: { requestId, slot: claim.slot },
    },
  };
}
