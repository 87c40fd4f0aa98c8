// The Firebase clients, created once. Production signs in with the custom token from the
// identity exchange; local mode talks to local/rtdb with an emulator (unsigned) token.
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { connectDatabaseEmulator, getDatabase, goOffline, type Database } from 'firebase/database';
import { agentAuthUid, type AgentTokenClaims } from '@vmpool/core';
import type { FirebaseWebConfig } from '../config/config';

export interface FirebaseClients {
  app: FirebaseApp;
  db: Database;
  /** Production only: signs in (again) with a fresh custom token. */
  signIn(token: string): Promise<void>;
  close(): Promise<void>;
}

/** `http://127.0.0.1:9000?ns=demo-vmpool` → host, port, namespace. */
export function parseEmulatorUrl(databaseUrl: string): {
  host: string;
  port: number;
  namespace: string;
} {
  const url = new URL(databaseUrl);
  const namespace = url.searchParams.get('ns') ?? url.hostname.split('.')[0] ?? '';
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (!/^[a-z0-9-]+$/i.test(namespace))
    throw new Error(`database URL ${databaseUrl} names no namespace (?ns=NAME)`);
  return { host: url.hostname, port, namespace };
}

/** Local mode signs in as production would: the VM's id and its instance's id as claims. */
export function localFirebase(databaseUrl: string, claims: AgentTokenClaims): FirebaseClients {
  const { host, port, namespace } = parseEmulatorUrl(databaseUrl);
  const app = initializeApp(
    { projectId: namespace, databaseURL: `https://${namespace}.firebaseio.com` },
    `agent-${claims.instanceId}`,
  );
  const db = getDatabase(app);
  connectDatabaseEmulator(db, host, port, {
    mockUserToken: { sub: agentAuthUid(claims.instanceId), ...claims },
  });
  return {
    app,
    db,
    signIn: () => Promise.resolve(),
    close: async () => {
      goOffline(db);
      await deleteApp(app);
    },
  };
}

export async function productionFirebase(
  databaseUrl: string,
  web: FirebaseWebConfig,
  authEmulator?: string,
): Promise<FirebaseClients> {
  // Auth is loaded only where it signs in: local mode would carry its ~300 kB of code (and
  // the heap its module set-up builds) without ever calling it.
  const { connectAuthEmulator, getAuth, signInWithCustomToken } = await import('firebase/auth');
  // Against emulators the database is addressed as host:port?ns=NAME, as in local mode.
  const emulated =
    authEmulator !== undefined && databaseUrl.startsWith('http:')
      ? parseEmulatorUrl(databaseUrl)
      : undefined;
  const databaseURL = emulated ? `https://${emulated.namespace}.firebaseio.com` : databaseUrl;
  const app = initializeApp({ ...web, databaseURL }, 'vmpool-agent');
  const auth = getAuth(app);
  if (authEmulator) connectAuthEmulator(auth, authEmulator, { disableWarnings: true });
  const db = getDatabase(app);
  if (emulated) connectDatabaseEmulator(db, emulated.host, emulated.port);
  return {
    app,
    db,
    signIn: async (token) => {
      await signInWithCustomToken(auth, token);
    },
    close: async () => {
      goOffline(db);
      await deleteApp(app);
    },
  };
}
