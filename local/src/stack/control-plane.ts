// The control plane of the local stack: the same Cloud Functions (request trigger, agent
// report trigger, command status trigger, scheduled reconcile) run by the local functions
// host over the local RTDB and the local compute provider.
import { startLocalFunctionsHost, type LocalFunctionsHost } from '@vmpool/functions/host';
import type { Logger } from '@vmpool/core/ports';
import type { LocalCompute } from '../compute/index';

export async function startControlPlane(options: {
  databaseUrl: string;
  projectId: string;
  compute: LocalCompute;
  reconcileIntervalMs: number;
  logger: Logger;
}): Promise<LocalFunctionsHost> {
  const host = await startLocalFunctionsHost({
    databaseUrl: options.databaseUrl,
    projectId: options.projectId,
    compute: options.compute,
    reconcileIntervalMs: options.reconcileIntervalMs,
    clock: { now: () => Date.now() },
    logger: options.logger.child({ component: 'functions-host' }),
    // Local VMs have no EC2: the address their agent reports may stand in for EC2's.
    settings: { trustAgentAddress: true },
  });
  // Adopt the pool at once instead of waiting for the first interval.
  await host.reconcileNow();
  return host;
}
