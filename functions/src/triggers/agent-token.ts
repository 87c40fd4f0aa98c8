import { getAuth } from 'firebase-admin/auth';
import { getDatabase } from 'firebase-admin/database';
import { onRequest } from 'firebase-functions/v2/https';
import {
  createAgentTokenHandler,
  createRtdbIdentityStore,
  firebaseTokenMinter,
  loadIdentityCertificates,
  shippedIdentityCertificates,
} from '../identity';
import { raiseAlert } from '../usecases/shared/alerts';
import { productionApp } from './production-deps';
import { runtimeDeps } from './runtime';

type Handler = ReturnType<typeof createAgentTokenHandler>;
let handler: Handler | null = null;

/**
 * Built on first use. The certificates are the ones bundled into the deploy, unless the
 * settings (VMPOOL_IDENTITY_CERTIFICATES, parsed with the other settings) name a file.
 */
function agentTokenHandler(): Handler {
  if (handler === null) {
    const deps = runtimeDeps();
    const app = productionApp();
    const override = deps.settings.identityCertificatesPath;
    const certificates =
      override === null ? shippedIdentityCertificates() : loadIdentityCertificates(override);
    handler = createAgentTokenHandler({
      certificates,
      compute: deps.compute,
      store: createRtdbIdentityStore(getDatabase(app)),
      minter: firebaseTokenMinter(getAuth(app)),
      clock: deps.clock,
      logger: deps.logger.child({ function: 'agentToken' }),
      expectedAccountId: deps.settings.awsAccountId,
      maxBindAgeMs: deps.settings.agentBindWindowMs,
      raiseAlert: (draft) => raiseAlert(deps, draft),
    });
  }
  return handler;
}

/** POST a signed EC2 identity document, get a custom token scoped to that VM. */
export const agentToken = onRequest({ timeoutSeconds: 30 }, async (req, res) => {
  await agentTokenHandler()(req, res);
});
