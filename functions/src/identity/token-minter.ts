import type { Auth } from 'firebase-admin/auth';

/** Mints a Firebase custom token; production uses firebase-admin's `auth.createCustomToken`. */
export interface TokenMinter {
  mint(uid: string, claims: { vmId: string }): Promise<string>;
}

export function firebaseTokenMinter(auth: Auth): TokenMinter {
  return { mint: (uid, claims) => auth.createCustomToken(uid, claims) };
}

/** Custom tokens are accepted for one hour after they are minted. */
export const CUSTOM_TOKEN_LIFETIME_MS = 60 * 60 * 1000;

/** The Auth uid of a VM's agent. */
export function agentUid(vmId: string): string {
  return `agent-${vmId}`;
}
