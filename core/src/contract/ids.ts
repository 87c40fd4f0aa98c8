/** Identifier rules shared by validators, path helpers and the database rules. */

export const VM_ID_PATTERN = /^vm-[a-z0-9-]{1,40}$/;
/** Push ids and any other client-chosen key of the same alphabet (requests, commands, alerts). */
export const PUSH_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Competition ids as used by the existing app: slugs and push ids. */
export const COMPETITION_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
/** Firebase Auth uids are up to 128 characters; we only forbid what RTDB keys forbid. */
export const UID_MAX_LENGTH = 128;
export const AWS_REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
export const INSTANCE_TYPE_PATTERN = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
/** EC2 ids (`i-…`) and the local stack's `local-…` ids. */
export const INSTANCE_ID_PATTERN = /^(i-[0-9a-f]{8,17}|local-[A-Za-z0-9_-]{1,64})$/;
/** A tag such as `4k` or `multi-camera`. */
export const CAPABILITY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** The show server's port on every VM (`SERVICE_PORTS.showServer`, the port in `vmAddress`). */
export const SHOW_SERVER_PORT = 3003;
/** The pool-wide alert scope; every other scope is a competition id. */
export const POOL_ALERT_SCOPE = 'pool';

export function isValidVmId(value: unknown): value is string {
  return typeof value === 'string' && VM_ID_PATTERN.test(value);
}

export function isValidPushId(value: unknown): value is string {
  return typeof value === 'string' && PUSH_ID_PATTERN.test(value);
}

export function isValidCompetitionId(value: unknown): value is string {
  return typeof value === 'string' && COMPETITION_ID_PATTERN.test(value);
}

/** `makeVmId(1)` → `vm-001`; numbers past 999 keep all their digits. */
export function makeVmId(n: number): string {
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`makeVmId: ${n} is not a non-negative integer`);
  return `vm-${String(n).padStart(3, '0')}`;
}

/** The show-controller connects to `http://<vmAddress>`: host:port, no scheme. */
export function vmAddressFor(publicIp: string): string {
  const host = publicIp.trim();
  if (host === '' || /[\s/:@?#]/.test(host)) {
    throw new Error(`vmAddressFor: "${publicIp}" is not a bare IPv4 address or host name`);
  }
  return `${host}:${SHOW_SERVER_PORT}`;
}

/** True when `value` contains an ASCII control character (0x00-0x1f or 0x7f). */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** RTDB keys may not contain these; control characters are checked separately. */
export const ILLEGAL_KEY_CHARS = /[.#$[\]/]/;
