import { getApp, getApps, initializeApp, type App } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getDatabase } from 'firebase-admin/database';
import { createEc2Compute, createSsmRemoteExec } from '../adapters/aws';
import { parseControlPlaneConfig } from '../config/control-plane-config';
import { createRtdbPoolStore } from '../store/rtdb-pool-store';
import type { UseCaseDeps } from '../usecases/deps';
import { claimsAccess } from './claims-access';
import { cloudLogger } from './functions-logger';

/** The default firebase-admin app, configured by the runtime's FIREBASE_CONFIG. */
export function productionApp(): App {
  return getApps().length > 0 ? getApp() : initializeApp();
}

/**
 * The Cloud Functions runtime: firebase-admin from FIREBASE_CONFIG, EC2 and SSM with adaptive retry,
 * the wall clock, Cloud Logging, settings parsed once from the environment (every problem
 * reported together; the function refuses to run on a broken configuration).
 */
export function createProductionDeps(
  env: Record<string, string | undefined> = process.env,
): UseCaseDeps {
  const settings = parseControlPlaneConfig(env);
  if (!settings.ok) {
    throw new Error(`vmpool functions are misconfigured:\n- ${settings.errors.join('\n- ')}`);
  }
  const app = productionApp();
  return {
    store: createRtdbPoolStore(getDatabase(app)),
    compute: createEc2Compute(),
    remoteExec: createSsmRemoteExec(),
    access: claimsAccess(getAuth(app)),
    clock: { now: () => Date.now() },
    logger: cloudLogger(),
    settings: settings.value,
  };
}
