import type { Auth } from 'firebase-admin/auth';
import { agentAuthUid } from '@vmpool/core';
import type { AccessPort } from '../usecases/deps';

/** Admins carry the `admin: true` custom claim (docs/contract.md, Roles). */
export function claimsAccess(auth: Auth): AccessPort {
  return {
    async isAdmin(uid) {
      try {
        const user = await auth.getUser(uid);
        return user.customClaims?.admin === true;
      } catch {
        // Unknown user or Auth unreachable: never more rights than a producer.
        return false;
      }
    },
    async revokeAgentSessions(instanceId) {
      try {
        await auth.revokeRefreshTokens(agentAuthUid(instanceId));
      } catch (error) {
        // An agent that never signed in has no Auth user, hence no session.
        if ((error as { code?: unknown }).code === 'auth/user-not-found') return;
        throw error;
      }
    },
  };
}
