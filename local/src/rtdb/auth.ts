/** Credentials sent in `auth`/`gauth` and the `auth` variable rules see. */
import { isObject } from './objects';

export type AuthVariable = Record<string, unknown> | null;

/** `admin` bypasses rules; `user` is evaluated with `auth` (null = signed out). */
export type Principal =
  { readonly kind: 'admin' } | { readonly kind: 'user'; readonly auth: AuthVariable };

export const ANONYMOUS: Principal = { kind: 'user', auth: null };
export const ADMIN: Principal = { kind: 'admin' };

export type AuthResult =
  | { readonly ok: true; readonly principal: Principal; readonly expires: number | null }
  | { readonly ok: false; readonly reason: string };

function decodeSegment(segment: string): unknown {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(segment)) throw new Error('not base64url');
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

/**
 * Decodes a JWT without checking its signature or expiry (emulator semantics:
 * unsigned `alg: none` tokens from mockUserToken and the Auth emulator are fine).
 */
export function decodeJwtClaims(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = decodeSegment(parts[0] as string);
    const claims = decodeSegment(parts[1] as string);
    if (!isObject(header) || !isObject(claims)) return null;
    return claims;
  } catch {
    return null;
  }
}

/** The documented `auth` variable of a signed-in user. */
export function authFromClaims(claims: Record<string, unknown>): AuthVariable {
  const uid = typeof claims.sub === 'string' ? claims.sub : claims.user_id;
  const firebase = isObject(claims.firebase) ? claims.firebase : {};
  return {
    uid: typeof uid === 'string' ? uid : null,
    provider: typeof firebase.sign_in_provider === 'string' ? firebase.sign_in_provider : 'custom',
    token: claims,
  };
}

function fromJwt(cred: string): AuthResult {
  const claims = decodeJwtClaims(cred);
  if (claims === null) return { ok: false, reason: 'Could not parse auth token.' };
  const uid = claims.sub ?? claims.user_id;
  if (typeof uid !== 'string' || uid.length === 0) {
    return { ok: false, reason: 'Auth token has no sub or user_id claim.' };
  }
  const exp = typeof claims.exp === 'number' ? claims.exp : null;
  return { ok: true, principal: { kind: 'user', auth: authFromClaims(claims) }, expires: exp };
}

/** Handles the body of an `auth` request: `{cred: <JWT>}`. */
export function authenticate(body: unknown): AuthResult {
  if (!isObject(body) || typeof body.cred !== 'string') {
    return { ok: false, reason: 'auth needs a cred string' };
  }
  if (body.cred === 'owner') return { ok: true, principal: ADMIN, expires: null };
  return fromJwt(body.cred);
}

/**
 * Handles the body of a `gauth` request: `{cred, authvar?, noauth?}`. The
 * emulator's admin token `owner` is an admin, or runs as `authvar`, or
 * unauthenticated with `noauth`.
 */
export function authenticateGoogle(body: unknown): AuthResult {
  if (!isObject(body) || typeof body.cred !== 'string') {
    return { ok: false, reason: 'gauth needs a cred string' };
  }
  if (body.cred === 'owner') {
    if (body.noauth === true) return { ok: true, principal: ANONYMOUS, expires: null };
    if (body.authvar !== undefined && body.authvar !== null) {
      if (!isObject(body.authvar)) return { ok: false, reason: 'authvar must be an object' };
      return { ok: true, principal: { kind: 'user', auth: body.authvar }, expires: null };
    }
    return { ok: true, principal: ADMIN, expires: null };
  }
  return fromJwt(body.cred);
}

/** What the auth reply carries in `d`: the auth variable and the expiry. */
export function authReplyData(result: AuthResult & { ok: true }): Record<string, unknown> {
  const auth = result.principal.kind === 'admin' ? { admin: true } : result.principal.auth;
  return { auth, expires: result.expires };
}
