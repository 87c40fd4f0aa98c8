/**
 * Hook, component and page tests run the real firebase SDK against the local RTDB server with
 * the project's real security rules: the user is a web SDK client carrying a mock ID token
 * (claims as in production), and a firebase-admin client plays the control plane (rules
 * bypassed). A test file calls `useRtdbFixture(seed)` once, as functions tests call
 * `useTestDatabase()`.
 */
import { startRtdbServer, type RtdbServer } from '@vmpool/local/rtdb';
import { deleteApp, initializeApp, setLogLevel, type FirebaseApp } from 'firebase/app';
import { connectDatabaseEmulator, getDatabase, type Database } from 'firebase/database';
// The admin SDK stands in for the control plane here; the app itself never uses it.
// eslint-disable-next-line no-restricted-imports
import {
  deleteApp as deleteAdminApp,
  initializeApp as initializeAdminApp,
  type App as AdminApp,
} from 'firebase-admin/app';
// eslint-disable-next-line no-restricted-imports
import {
  getDatabase as getAdminDatabase,
  type Database as AdminDatabase,
} from 'firebase-admin/database';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { render, type RenderResult } from '@testing-library/react';
import { createElement, type ReactElement, type ReactNode } from 'react';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { SessionUser } from '../lib/auth/roles';
import { SessionProvider } from '../lib/session';

const RULES_PATH = join(dirname(fileURLToPath(import.meta.url)), '../../../database.rules.json');

let appCounter = 0;

interface RtdbFixture {
  server: RtdbServer;
  /** The control plane: firebase-admin as owner, bypassing rules. */
  controlPlane: AdminDatabase;
  /** A signed-in web user with the given claims, as the app's SDK client sees the database. */
  userDb(user: SessionUser): Database;
  wrapperFor(user: SessionUser): (props: { children: ReactNode }) => ReactNode;
  stop(): Promise<void>;
}

async function startRtdbFixture(namespace = 'demo-vmpool'): Promise<RtdbFixture> {
  // Denied writes are part of what these tests check; keep the SDK quiet about them.
  setLogLevel('error');
  const server = await startRtdbServer({ port: 0, quiet: true, rules: RULES_PATH });
  const webApps: FirebaseApp[] = [];
  const adminApp: AdminApp = initializeAdminApp(
    { databaseURL: server.databaseUrl(namespace), projectId: namespace },
    `control-plane-${++appCounter}`,
  );
  const controlPlane = getAdminDatabase(adminApp);
  const databases = new Map<string, Database>();

  const userDb = (user: SessionUser): Database => {
    const existing = databases.get(user.uid);
    if (existing !== undefined) return existing;
    const app = initializeApp(
      { projectId: namespace, databaseURL: `https://${namespace}.firebaseio.com` },
      `web-${user.uid}-${++appCounter}`,
    );
    webApps.push(app);
    const db = getDatabase(app);
    connectDatabaseEmulator(db, '127.0.0.1', server.port, {
      mockUserToken: {
        user_id: user.uid,
        sub: user.uid,
        ...(user.email === null ? {} : { email: user.email }),
        ...(user.roles.admin ? { admin: true } : {}),
        ...(user.roles.producer ? { producer: true } : {}),
      },
    });
    databases.set(user.uid, db);
    return db;
  };

  return {
    server,
    controlPlane,
    userDb,
    wrapperFor: (user) => {
      const db = userDb(user);
      return ({ children }) => createElement(SessionProvider, { session: { db, user }, children });
    },
    stop: async () => {
      await Promise.all(webApps.map((app) => deleteApp(app)));
      await deleteAdminApp(adminApp);
      await server.stop();
    },
  };
}

export const ADMIN: SessionUser = {
  uid: 'admin-uid',
  email: 'admin@vmpool.local',
  displayName: null,
  roles: { admin: true, producer: false },
};

export const PRODUCER: SessionUser = {
  uid: 'producer-uid',
  email: 'producer@vmpool.local',
  displayName: null,
  roles: { admin: false, producer: true },
};

/** Rows of a list node (requests, commands) as [key, row] pairs, in key order. */
export type Rows = [string, Record<string, unknown>][];

export interface RtdbTestDatabase {
  /** The control plane: firebase-admin as owner, bypassing rules. */
  readonly controlPlane: AdminDatabase;
  /** A signed-in web user with the given claims, as the app's SDK client sees the database. */
  userDb(user: SessionUser): Database;
  /** A wrapper that gives its children `user`'s session, for renderHook. */
  wrapperFor(user: SessionUser): (props: { children: ReactNode }) => ReactNode;
  /** Renders `ui` inside `user`'s session. */
  renderAs(user: SessionUser, ui: ReactElement): RenderResult;
  /** What the control plane reads under `path`, as rows; none when the node is empty. */
  rows(path: string): Promise<Rows>;
}

/**
 * Registers a test file's database hooks: one local RTDB server with the project's rules for
 * the file, stopped after it, and before each test the whole database replaced by `seed()`
 * (emptied without one). Its members are there only inside tests and hooks.
 */
export function useRtdbFixture(seed?: () => Record<string, unknown>): RtdbTestDatabase {
  let fixture: RtdbFixture | null = null;
  const started = (): RtdbFixture => {
    if (fixture === null) throw new Error('the test database is only there inside tests');
    return fixture;
  };
  beforeAll(async () => {
    fixture = await startRtdbFixture();
  });
  afterAll(async () => {
    await fixture?.stop();
    fixture = null;
  });
  beforeEach(async () => {
    await started()
      .controlPlane.ref()
      .set(seed?.() ?? null);
  });
  return {
    get controlPlane() {
      return started().controlPlane;
    },
    userDb: (user) => started().userDb(user),
    wrapperFor: (user) => started().wrapperFor(user),
    renderAs: (user, ui) => render(ui, { wrapper: started().wrapperFor(user) }),
    rows: async (path) => {
      const value: unknown = (await started().controlPlane.ref(path).get()).val();
      if (typeof value !== 'object' || value === null) return [];
      return (Object.entries(value) as Rows).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    },
  };
}
