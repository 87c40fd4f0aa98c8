import {
  isScheduleRequest,
  parsePoolRequest,
  PRODUCER_REQUEST_ACTIONS,
  type PoolConfig,
  type PoolRequest,
  type RequestAction,
} from '@vmpool/core';
import { isRecord } from '../../store/rtdb-values';
import { assign } from '../assign/assign';
import { completeRequest } from './complete-request';
import type { UseCaseDeps } from '../deps';
import { launchVm } from '../vm-actions/launch';
import { setMaintenance } from '../vm-actions/maintenance';
import { STEP, RequestProgress } from './progress';
import { rebootVm } from '../vm-actions/reboot';
import { release } from '../release/release';
import { RequestError, toRequestError } from './request-error';
import { startVm } from '../vm-actions/start';
import { stopVm } from '../vm-actions/stop';
import { terminateVm } from '../vm-actions/terminate';
import { recoverByAdmin } from '../recovery/admin-recover';

const PRODUCER_ACTIONS: ReadonlySet<RequestAction> = new Set(PRODUCER_REQUEST_ACTIONS);

/**
 * Runs the request at `vmPool/requests/{requestId}`: validates it, checks who may ask, runs its
 * use case and leaves the outcome in `result`. A request whose result is final is not run
 * again, and every use case continues rather than repeats when delivered twice.
 */
export async function handleRequest(
  deps: UseCaseDeps,
  requestId: string,
  raw: unknown,
): Promise<void> {
  const progress = new RequestProgress(deps.store, deps.clock, requestId, [STEP.check]);
  const now = deps.clock.now();
  const runId = deps.store.newId();
  const begun = await deps.store.beginRequest(
    requestId,
    progress.result('queued', 'Received; checking the request'),
    { runId, now, until: now + deps.settings.requestLeaseMs },
  );
  // Final: nothing to do. Busy: another delivery is running it right now; if that one dies,
  // its lease expires and reconcile drives the request again.
  if (begun !== 'begun') return;
  const log = deps.logger.child({ requestId });
  try {
    const parsed = parsePoolRequest(raw);
    if (!parsed.ok) {
      throw new RequestError('INVALID_REQUEST', `Invalid request: ${parsed.errors.join('; ')}`);
    }
    const request = parsed.value;
    await authorize(deps, request);
    const config = await deps.store.readConfig();
    if (!config.ok) {
      throw new RequestError(
        'CONFIG_INCOMPLETE',
        `vmPool/config is invalid: ${config.errors.join('; ')}`,
      );
    }
    const message = await run(deps, requestId, request, config.value, progress);
    if (message !== null) {
      await completeRequest(deps, requestId, progress.result('succeeded', message));
    }
  } catch (error) {
    const failure = toRequestError(error);
    if (failure.code === 'INTERNAL') log.error('request failed', { error: String(error) });
    await completeRequest(deps, requestId, progress.failure(failure));
  } finally {
    await deps.store.endRequestRun(requestId, runId);
  }
}

/**
 * Producers may assign and release their own competitions; everything else needs an admin.
 * The schedule's requests (`requestedBy: "schedule"`) are the control plane's own: only it
 * can write that name (the rules and the HTTP API refuse it from everyone else).
 */
async function authorize(deps: UseCaseDeps, request: PoolRequest): Promise<void> {
  if (isScheduleRequest(request)) return;
  if (await deps.access.isAdmin(request.requestedBy)) return;
  if (!PRODUCER_ACTIONS.has(request.action) || !('competitionId' in request)) {
    throw new RequestError('FORBIDDEN', `Only admins may ${request.action} VMs`);
  }
  if (!(await deps.store.hasProducerAccess(request.requestedBy, request.competitionId))) {
    throw new RequestError(
      'FORBIDDEN',
      `${request.requestedBy} is not a producer of ${request.competitionId}`,
    );
  }
}

/** The use case for the action; null when it finishes later (event-driven completion). */
async function run(
  deps: UseCaseDeps,
  requestId: string,
  request: PoolRequest,
  config: PoolConfig,
  progress: RequestProgress,
): Promise<string | null> {
  switch (request.action) {
    case 'assign':
      await assign(deps, { requestId, request, config, progress });
      return null;
    case 'release':
      await release(deps, { requestId, request, config, progress });
      return null;
    case 'launch': {
      const launched = await launchVm(deps, { requestId, request, config, progress });
      await progress.at(STEP.launch, launched.message, { vmId: launched.vmId });
      return launched.message;
    }
    case 'start':
      return startVm(deps, { requestId, vmId: request.vmId, config, progress });
    case 'stop':
      return stopVm(deps, { requestId, vmId: request.vmId, config, progress });
    case 'reboot':
      return rebootVm(deps, { requestId, vmId: request.vmId, config, progress });
    case 'terminate':
      return terminateVm(deps, { requestId, vmId: request.vmId, config, progress });
    case 'maintenance':
      return setMaintenance(
        deps,
        { requestId, vmId: request.vmId, config, progress },
        request.options,
      );
    case 'recover':
      return recoverByAdmin(deps, { requestId, vmId: request.vmId, config, progress });
  }
}

/** The request's raw value as stored, for re-driving it after a crash. */
export function requestPayload(raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  const { result: _result, ...fields } = raw;
  return fields;
}
