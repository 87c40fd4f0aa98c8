import { resolve } from 'node:path';
import { getAuth } from 'firebase-admin/auth';
import { getDatabase } from 'firebase-admin/database';
import { onRequest } from 'firebase-functions/v2/https';
import {
  createAgentTokenHandler,
  createRtdbIdentityStore,
  firebaseTokenMinter,
  loadIdentityCertificates,
} from '../identity';
import { productionApp } from './production-deps';
import { runtimeDeps } from './runtime';

type Handler = ReturnType<typeof createAgentTokenHandler>;
let handler: Handler | null = null;

/** Built on first use: the certificates ship beside the deployed code (functions/config). */
function agentTokenHandler(): Handler {
  if (handler === null) {
    const deps = runtimeDeps();
    const app = productionApp();
    const certificates = loadIdentityCertificates(
      process.env.VMPOOL_IDENTITY_CERTIFICATES ??
        resolve(process.cwd(), 'config/aws-identity-certificates.json'),
    );
    handler = createAgentTokenHandler({
      certificates,
      compute: deps.compute,
      store: createRtdbIdentityStore(getDatabase(app)),
      minter: firebaseTokenMinter(getAuth(app)),
      clock: deps.clock,
      logger: deps.logger.child({ function: 'agentToken' }),
    });
  }
  return handler;
}

/** POST a signed EC2 identity document, get a custom token scoped to that VM. */
export const agentToken = onRequest({ timeoutSeconds: 30 }, async (req, res) => {
  await agentTokenHandler()(req, res);
});
