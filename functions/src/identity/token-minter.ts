import type { Auth } from 'firebase-admin/auth';
import type { AgentTokenClaims } from '@vmpool/core';

/** Mints a Firebase custom token; production uses firebase-admin's `auth.createCustomToken`. */
export interface TokenMinter {
  mint(uid: string, claims: AgentTokenClaims): Promise<string>;
}

export function firebaseTokenMinter(auth: Auth): TokenMinter {
  return { mint: (uid, claims) => auth.createCustomToken(uid, claims) };
}

/** Custom tokens are accepted for one hour after they are minted. */
export const CUSTOM_TOKEN_LIFETIME_MS = 60 * 60 * 1000;
