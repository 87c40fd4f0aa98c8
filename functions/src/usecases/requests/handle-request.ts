import {
  isScheduleRequest,
  FAILOVER_REQUESTER,
  parsePoolRequest,
  PRODUCER_REQUEST_ACTIONS,
  REQUEST_LIMITS,
  type PoolConfig,
  type RequestLimitRole,
  type PoolRequest,
  type RequestAction,
} from '@vmpool/core';
import { isRecord } from '../../store/rtdb-values';
import { assign } from '../assign/assign';
import { confirmFailover } from '../failover/confirm';
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
    // Issue 17: the config is read while the requester is checked (a refusal discards it).
    const [config] = await Promise.all([
      deps.store.readConfig(),
      authorize(deps, request).then((role) => admit(deps, requestId, request, role)),
    ]);
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
 * The schedule's requests (`requestedBy: "schedule"`) and a failover's own assign are the
 * control plane's (null: no user limits apply): only it can write those names (the rules and
 * the HTTP API refuse them from everyone else).
 */
async function authorize(
  deps: UseCaseDeps,
  request: PoolRequest,
): Promise<RequestLimitRole | null> {
  if (isScheduleRequest(request)) return null;
  if (request.requestedBy === FAILOVER_REQUESTER && request.action === 'assign') return null;
  if (await deps.access.isAdmin(request.requestedBy)) return 'admin';
  if (!PRODUCER_ACTIONS.has(request.action) || !('competitionId' in request)) {
    throw new RequestError('FORBIDDEN', `Only admins may ${request.action} VMs`);
  }
  if (!(await deps.store.hasProducerAccess(request.requestedBy, request.competitionId))) {
    throw new RequestError(
      'FORBIDDEN',
      `${request.requestedBy} is not a producer of ${request.competitionId}`,
    );
  }
  return 'producer';
}

/**
 * Issue 9: the requester's rate limits (core's REQUEST_LIMITS). The rules already made a
 * client's row claim a per-minute slot, and the HTTPS API claims one before it writes; this
 * counts rows that reached the database some other way, and the open requests, which the rules
 * cannot count. The control plane's own requests (schedule, failover) are not limited. Admitted once per request: a
 * repeated delivery finds it open and goes on.
 */
async function admit(
  deps: UseCaseDeps,
  requestId: string,
  request: PoolRequest,
  role: RequestLimitRole | null,
): Promise<void> {
  if (role === null) return;
  const admitted = await deps.store.admitRequest(
    request.requestedBy,
    requestId,
    REQUEST_LIMITS[role],
    deps.clock.now(),
  );
  if (!admitted.ok) throw new RequestError('RATE_LIMITED', admitted.message);
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
    case 'failover':
      return confirmFailover(deps, request, config);
  }
}

/** The request's raw value as stored, for re-driving it after a crash. */
export function requestPayload(raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  const { result: _result, ...fields } = raw;
  return fields;
}
