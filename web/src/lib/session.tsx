/**
 * What every data hook needs: the RTDB handle and the signed-in user. Tests provide their own
 * (a real SDK client pointed at the local RTDB server).
 */
import type { Database } from 'firebase/database';
import { createContext, useContext, type ReactNode } from 'react';
import type { SessionUser } from './auth/roles';

export interface Session {
  db: Database;
  user: SessionUser;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession must be used inside <SessionProvider>');
  return session;
}
