// The control plane of the local stack: the same Cloud Functions (request trigger, agent
// report trigger, command status trigger, scheduled reconcile) run by the local functions
// host over the local RTDB and the local compute provider, with the HTTPS API and the alert
// webhook.
import { startLocalFunctionsHost, type LocalFunctionsHost } from '@vmpool/functions/host';
import type { AlertLevel } from '@vmpool/core';
import type { Logger } from '@vmpool/core/ports';
import type { LocalCompute } from '../compute/index';

export async function startControlPlane(options: {
  databaseUrl: string;
  projectId: string;
  compute: LocalCompute;
  reconcileIntervalMs: number;
  logger: Logger;
  /** the HTTPS API's port on 127.0.0.1 */
  apiPort: number;
  alertWebhook: string | null;
  alertLevels: AlertLevel[];
  /** reconcile at once to adopt the pool (default); a restart after a crash waits for the schedule */
  reconcileAtStart?: boolean;
}): Promise<LocalFunctionsHost & { httpUrl: string }> {
  const host = await startLocalFunctionsHost({
    databaseUrl: options.databaseUrl,
    projectId: options.projectId,
    compute: options.compute,
    reconcileIntervalMs: options.reconcileIntervalMs,
    clock: { now: () => Date.now() },
    logger: options.logger.child({ component: 'functions-host' }),
    // Local VMs have no EC2: the address their agent reports may stand in for EC2's.
    settings: { trustAgentAddress: true, alertWebhookLevels: options.alertLevels },
    // The PRD §6.1 API, as the `api` function behind Hosting's /api/** rewrite; ID tokens are
    // checked by firebase-admin, which FIREBASE_AUTH_EMULATOR_HOST points at the Auth emulator.
    httpPort: options.apiPort,
    alertWebhookUrl: options.alertWebhook,
  });
  const httpUrl = host.httpUrl;
  if (httpUrl === undefined) throw new Error('the functions host did not serve the API');
  // Adopt the pool at once instead of waiting for the first interval.
  if (options.reconcileAtStart !== false) await host.reconcileNow();
  return Object.assign(host, { httpUrl });
}
