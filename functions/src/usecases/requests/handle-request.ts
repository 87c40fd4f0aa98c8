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
import { RunLease, RunLeaseLost } from './run-lease';
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
  const now = deps.clock.now();
  const log = deps.logger.child({ requestId });
  // Issue 11: the run's lease is short and renewed while it works (RunLease).
  const lease = new RunLease(deps, log, requestId, deps.store.newId());
  const begun = await deps.store.beginRequest(
    requestId,
    new RequestProgress(deps.store, deps.clock, requestId, [STEP.check]).result(
      'queued',
      'Received; checking the request',
    ),
    { runId: lease.runId, now, until: lease.until() },
  );
  // Final: nothing to do. Busy: another delivery is running it right now; if that one dies,
  // its lease runs out and reconcile drives the request again.
  if (begun !== 'begun') return;
  lease.start();
  // The run's result writes stop once another run took the request from it.
  const run = { ...deps, store: lease.guard(deps.store) };
  const progress = new RequestProgress(run.store, deps.clock, requestId, [STEP.check]);
  try {
    const parsed = parsePoolRequest(raw);
    if (!parsed.ok) {
      throw new RequestError('INVALID_REQUEST', `Invalid request: ${parsed.errors.join('; ')}`);
    }
    const request = parsed.value;
    // Issue 17: the config is read while the requester is checked (a refusal discards it).
    const [config] = await Promise.all([
      run.store.readConfig(),
      authorize(run, request).then((role) => admit(run, requestId, request, role)),
    ]);
    if (!config.ok) {
      throw new RequestError(
        'CONFIG_INCOMPLETE',
        `vmPool/config is invalid: ${config.errors.join('; ')}`,
      );
    }
    const message = await runAction(run, requestId, request, config.value, progress);
    if (message !== null) {
      await completeRequest(run, requestId, progress.result('succeeded', message));
    }
  } catch (error) {
    if (!(error instanceof RunLeaseLost) && !lease.lost) {
      const failure = toRequestError(error);
      if (failure.code === 'INTERNAL') log.error('request failed', { error: String(error) });
      await completeRequest(run, requestId, progress.failure(failure)).catch((late: unknown) => {
        if (!(late instanceof RunLeaseLost)) throw late;
      });
    }
    if (lease.lost) {
      log.warn('request run stopped: another run drives the request', { runId: lease.runId });
    }
  } finally {
    await lease.stop();
    await deps.store.endRequestRun(requestId, lease.runId);
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
async function runAction(
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
