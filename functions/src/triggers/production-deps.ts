import { getApp, getApps, initializeApp, type App } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getDatabase } from 'firebase-admin/database';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { createEc2Compute, createSsmRemoteExec } from '../adapters/aws';
import { createHttpShowProbe } from '../adapters/http/show-probe';
import { createHttpAlertWebhook } from '../adapters/webhook/http-alert-webhook';
import { createCloudTasksRecheck } from '../adapters/tasks/cloud-tasks-recheck';
import { googleIdTokenSource, webIdentityCredentials } from '../adapters/aws/web-identity';
import { parseControlPlaneConfig, type ControlPlaneConfig } from '../config/control-plane-config';
import { rtdbAlertDeliveryStore } from '../store/rtdb/alert-deliveries';
import { createRtdbPoolStore } from '../store/rtdb-pool-store';
import type { UseCaseDeps } from '../usecases/deps';
import { claimsAccess } from './claims-access';
import { cloudLogger } from './functions-logger';
import { alertWebhookSecret } from './secrets';

/** The default firebase-admin app, configured by the runtime's FIREBASE_CONFIG. */
export function productionApp(): App {
  return getApps().length > 0 ? getApp() : initializeApp();
}

/** How the functions' sessions show in CloudTrail: assumed-role/<role>/vmpool-functions. */
export const ROLE_SESSION_NAME = 'vmpool-functions';

let awsCredentials: AwsCredentialIdentityProvider | null = null;

/**
 * The one AWS credentials provider of the deployed functions: the control-plane role,
 * assumed with the functions' Google ID token (audience: the role's ARN). Created once.
 */
export function productionAwsCredentials(
  settings: ControlPlaneConfig,
): AwsCredentialIdentityProvider {
  const roleArn = settings.awsRoleArn;
  if (roleArn === null) {
    throw new Error('vmpool functions are misconfigured: VMPOOL_AWS_ROLE_ARN is not set');
  }
  awsCredentials ??= webIdentityCredentials({
    roleArn,
    roleSessionName: ROLE_SESSION_NAME,
    stsRegion: settings.awsStsRegion,
    idToken: googleIdTokenSource({ metadataHost: settings.metadataHost, audience: roleArn }),
  });
  return awsCredentials;
}

/**
 * The Cloud Functions runtime: firebase-admin from FIREBASE_CONFIG, EC2 and SSM with adaptive retry
 * and the control-plane role's credentials (web identity federation, no AWS keys),
 * the wall clock, Cloud Logging, settings parsed once from the environment (every problem
 * reported together; the function refuses to run on a broken configuration).
 */
export function createProductionDeps(
  env: Record<string, string | undefined> = process.env,
): UseCaseDeps {
  const settings = parseControlPlaneConfig(env, { production: true });
  if (!settings.ok) {
    throw new Error(`vmpool functions are misconfigured:\n- ${settings.errors.join('\n- ')}`);
  }
  const app = productionApp();
  const credentials = productionAwsCredentials(settings.value);
  const db = getDatabase(app);
  const clock = { now: () => Date.now() };
  return {
    store: createRtdbPoolStore(db, clock),
    compute: createEc2Compute({ credentials }),
    remoteExec: createSsmRemoteExec({ credentials }),
    access: claimsAccess(getAuth(app)),
    showProbe: createHttpShowProbe(),
    clock,
    logger: cloudLogger(),
    settings: settings.value,
    // Failover re-checks (issue 12) in the functions' default region.
    failoverRecheck: createCloudTasksRecheck(app),
    // The secret is read at each post: only the functions that declare it can (alert-written,
    // scheduled-reconcile); elsewhere it reads '' and nothing is posted.
    notifications: {
      webhook: createHttpAlertWebhook({ url: () => alertWebhookSecret.value() }),
      deliveries: rtdbAlertDeliveryStore(db),
      levels: settings.value.alertWebhookLevels,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    },
  };
}
