/**
 * Creates the Firebase app, Auth and RTDB clients once for the whole web app.
 */
import { initializeApp, type FirebaseApp } from 'firebase/app';
import { connectAuthEmulator, getAuth, type Auth } from 'firebase/auth';
import { forceWebSockets, getDatabase, type Database } from 'firebase/database';
import type { WebConfig } from '../config/env';

export interface FirebaseServices {
  app: FirebaseApp;
  auth: Auth;
  db: Database;
  useEmulators: boolean;
}

export function createFirebaseServices(config: WebConfig): FirebaseServices {
  if (config.useEmulators) {
    // In a browser the SDK falls back to long polling after one failed WebSocket attempt and
    // never retries WebSockets; the local RTDB server speaks WebSockets only. This must run
    // before the first connection is opened.
    forceWebSockets();
  }
  const app = initializeApp(config.firebase);
  const auth = getAuth(app);
  if (config.authEmulatorUrl !== null) {
    connectAuthEmulator(auth, config.authEmulatorUrl, { disableWarnings: true });
  }
  const db = getDatabase(app, config.firebase.databaseURL);
  return { app, auth, db, useEmulators: config.useEmulators };
}
