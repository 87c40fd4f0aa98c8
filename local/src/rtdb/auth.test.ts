import { describe, expect, it } from 'vitest';
import { ADMIN, ANONYMOUS, authenticate, authenticateGoogle, decodeJwtClaims } from './auth';

const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: object): string => `${enc({ alg: 'none', type: 'JWT' })}.${enc(claims)}.`;

describe('auth', () => {
  it('accepts unsigned, expired emulator tokens and exposes claims', () => {
    const result = authenticate({
      cred: jwt({
        sub: 'u1',
        iat: 0,
        exp: 3600,
        admin: true,
        firebase: { sign_in_provider: 'custom' },
      }),
    });
    expect(result.ok).toBe(true);
    if (!result.ok || result.principal.kind !== 'user') throw new Error('expected a user');
    expect(result.principal.auth).toMatchObject({
      uid: 'u1',
      provider: 'custom',
      token: { admin: true },
    });
  });
  it('uses user_id when sub is missing', () => {
    const result = authenticate({ cred: jwt({ user_id: 'u2', iat: 0 }) });
    expect(result.ok && result.principal.kind === 'user' && result.principal.auth?.uid).toBe('u2');
  });
  it('rejects garbage', () => {
    expect(authenticate({ cred: 'abc' }).ok).toBe(false);
    expect(authenticate({}).ok).toBe(false);
    expect(authenticate({ cred: jwt({ iat: 0 }) }).ok).toBe(false);
    expect(decodeJwtClaims('a.b.c')).toBeNull();
  });
  it('maps owner, owner+authvar and owner+noauth', () => {
    expect(authenticateGoogle({ cred: 'owner' })).toMatchObject({ ok: true, principal: ADMIN });
    expect(authenticateGoogle({ cred: 'owner', noauth: true })).toMatchObject({
      ok: true,
      principal: ANONYMOUS,
    });
    expect(authenticateGoogle({ cred: 'owner', authvar: { uid: 'x' } })).toMatchObject({
      ok: true,
      principal: { kind: 'user', auth: { uid: 'x' } },
    });
    expect(authenticateGoogle({ cred: 'owner', authvar: 5 }).ok).toBe(false);
    expect(authenticateGoogle({ cred: 'not-a-token' }).ok).toBe(false);
  });
});
