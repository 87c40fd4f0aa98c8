import { getAuth } from 'firebase-admin/auth';
import { getDatabase } from 'firebase-admin/database';
import { onRequest } from 'firebase-functions/v2/https';
import { createApiHandler } from '../http';
import { reconcile } from '../usecases/reconcile/reconcile';
import { productionApp } from './production-deps';
import { runtimeDeps } from './runtime';

type Handler = ReturnType<typeof createApiHandler>;
let handler: Handler | null = null;

function apiHandler(): Handler {
  if (handler === null) {
    const deps = runtimeDeps();
    const app = productionApp();
    const auth = getAuth(app);
    handler = createApiHandler({
      db: getDatabase(app),
      verifyIdToken: (token) => auth.verifyIdToken(token),
      clock: deps.clock,
      reconcileNow: () => reconcile(runtimeDeps()),
      logger: deps.logger.child({ function: 'api' }),
    });
  }
  return handler;
}

/** The HTTPS API (PRD §6.1): each change becomes a request row, run by the same use cases. */
export const api = onRequest({ timeoutSeconds: 60 }, async (req, res) => {
  await apiHandler()(req, res);
});
