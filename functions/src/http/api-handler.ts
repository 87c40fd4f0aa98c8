import type { Database } from 'firebase-admin/database';
import { COMPETITION_ID_PATTERN, paths, VM_ID_PATTERN } from '@vmpool/core';
import type { Clock, Logger } from '@vmpool/core/ports';
import { authenticate, HttpError, type Caller, type IdTokenClaims } from './caller';
import { readJsonBody, sendError, sendJson, type HttpRequest, type HttpResponse } from './json-io';
import { competitionVm, listPool, readPoolConfig, readVm, testCompetitionVm } from './pool-views';
import { updatePoolConfig } from './pool-config-write';
import { createRequestSubmitter, type RequestSubmitter } from './request-submitter';
import { resolveRoute, type Route } from './router';
import { requestStatus } from './request-status';

export interface ApiDeps {
  db: Database;
  verifyIdToken(token: string): Promise<IdTokenClaims>;
  clock: Clock;
  /** runs the scheduled reconcile (health check) now */
  reconcileNow(): Promise<unknown>;
  /** how long a mutating call waits for its request's result before answering 202; default 8 s */
  waitForResultMs?: number;
  logger?: Logger;
}

const vmParam = { vmId: VM_ID_PATTERN };
const compParam = { compId: COMPETITION_ID_PATTERN };
const requestParam = { requestId: /^[A-Za-z0-9_-]{1,64}$/ };

function requireAdmin(caller: Caller): void {
  if (!caller.admin) {
    throw new HttpError(403, 'FORBIDDEN', 'Only admins may use /api/admin (admin claim required)');
  }
}

async function requireCompetitionAccess(db: Database, caller: Caller, compId: string) {
  if (caller.admin) return;
  const granted =
    caller.producer && (await db.ref(paths.producerAccessFor(caller.uid, compId)).get()).val();
  if (granted !== true) {
    throw new HttpError(403, 'FORBIDDEN', `You are not a producer of competition ${compId}`);
  }
}

function adminRoutes(deps: ApiDeps, requests: RequestSubmitter): Route[] {
  const ok = (body: unknown) => ({ status: 200, body });
  const vmAction =
    (action: 'start' | 'stop' | 'reboot') =>
    ({ caller, params, body }: Parameters<Route['handle']>[0]) =>
      requests.submit(caller, { action, vmId: params.vmId, options: body });
  return [
    { method: 'GET', path: '/admin/vm-pool', handle: async () => ok(await listPool(deps.db)) },
    {
      method: 'GET',
      path: '/admin/vm-pool/config',
      handle: async () => ok({ config: await readPoolConfig(deps.db) }),
    },
    {
      method: 'PUT',
      path: '/admin/vm-pool/config',
      hasBody: true,
      handle: async ({ caller, body }) =>
        ok({ config: await updatePoolConfig(deps.db, deps.clock, caller, body) }),
    },
    {
      method: 'POST',
      path: '/admin/vm-pool/launch',
      hasBody: true,
      handle: ({ caller, body }) => requests.submit(caller, { action: 'launch', options: body }),
    },
    {
      method: 'POST',
      path: '/admin/vm-pool/health-check',
      handle: async () => {
        await deps.reconcileNow();
        return ok({ checkedAt: deps.clock.now(), ...(await listPool(deps.db)) });
      },
    },
    {
      method: 'GET',
      path: '/admin/vm-pool/:vmId',
      params: vmParam,
      handle: async ({ params }) => ok({ vm: await readVm(deps.db, params.vmId ?? '') }),
    },
    {
      method: 'DELETE',
      path: '/admin/vm-pool/:vmId',
      params: vmParam,
      handle: ({ caller, params }) =>
        requests.submit(caller, { action: 'terminate', vmId: params.vmId }),
    },
    ...(['start', 'stop', 'reboot'] as const).map((action): Route => ({
      method: 'POST',
      path: `/admin/vm-pool/:vmId/${action}`,
      params: vmParam,
      hasBody: true,
      handle: vmAction(action),
    })),
    {
      method: 'POST',
      path: '/admin/vm-pool/:vmId/maintenance',
      params: vmParam,
      hasBody: true,
      handle: ({ caller, params, body }) =>
        requests.submit(caller, { action: 'maintenance', vmId: params.vmId, options: body }),
    },
  ];
}

function competitionRoutes(deps: ApiDeps, requests: RequestSubmitter): Route[] {
  const guarded =
    (
      run: (context: Parameters<Route['handle']>[0], compId: string) => ReturnType<Route['handle']>,
    ) =>
    async (context: Parameters<Route['handle']>[0]) => {
      const compId = context.params.compId ?? '';
      await requireCompetitionAccess(deps.db, context.caller, compId);
      return run(context, compId);
    };
  return [
    {
      method: 'GET',
      path: '/competitions/:compId/vm',
      params: compParam,
      handle: guarded(async (_context, compId) => ({
        status: 200,
        body: await competitionVm(deps.db, compId),
      })),
    },
    ...(['assign', 'release'] as const).map((action): Route => ({
      method: 'POST',
      path: `/competitions/:compId/vm/${action}`,
      params: compParam,
      hasBody: true,
      handle: guarded(({ caller, body }, compId) =>
        requests.submit(caller, { action, competitionId: compId, options: body }),
      ),
    })),
    {
      method: 'POST',
      path: '/competitions/:compId/vm/test',
      params: compParam,
      handle: guarded(async (_context, compId) => ({
        status: 200,
        body: await testCompetitionVm(deps.db, deps.clock, compId),
      })),
    },
  ];
}

/**
 * The HTTPS API (PRD §6.1, P15). Reads come straight from RTDB; every change becomes a
 * validated `vmPool/requests` row written as the caller, so the request trigger runs the same
 * use case as for a client's own row. Compatible with firebase-functions `onRequest`.
 */
export function createApiHandler(deps: ApiDeps) {
  const requests = createRequestSubmitter({
    db: deps.db,
    clock: deps.clock,
    waitForResultMs: deps.waitForResultMs ?? 8000,
  });
  const admin = adminRoutes(deps, requests).map((route): Route => ({
    ...route,
    handle: async (context) => {
      requireAdmin(context.caller);
      return route.handle(context);
    },
  }));
  const routes: Route[] = [
    ...admin,
    ...competitionRoutes(deps, requests),
    {
      method: 'GET',
      path: '/requests/:requestId',
      params: requestParam,
      handle: async ({ caller, params }) => requestStatus(deps.db, caller, params.requestId ?? ''),
    },
  ];

  return async function api(req: HttpRequest, res: HttpResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const { route, params } = resolveRoute(routes, req.method ?? 'GET', url.pathname);
      const caller = await authenticate(req, deps.verifyIdToken);
      let body: unknown;
      if (route.hasBody) {
        const read = await readJsonBody(req);
        if (!read.ok) throw new HttpError(read.status, read.code, read.message);
        body = read.value;
      }
      const answer = await route.handle({ caller, params, body });
      sendJson(res, answer.status, answer.body);
    } catch (error) {
      if (error instanceof HttpError) {
        sendError(res, error.status, error.code, error.message, {
          ...(error.details ? { details: error.details } : {}),
          ...(error.headers ? { headers: error.headers } : {}),
        });
        return;
      }
      deps.logger?.error('api call failed', { error: String(error), url: req.url });
      sendError(res, 500, 'INTERNAL', 'The server failed; try again');
    }
  };
}
