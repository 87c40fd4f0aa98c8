import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from 'firebase-admin/database';
import type { Clock, Logger } from '@vmpool/core/ports';
import { createApiHandler, type IdTokenClaims } from '../http';

export interface ServedApi {
  url: string;
  close(): Promise<void>;
}

/** Serves the HTTPS API on 127.0.0.1 with a plain node:http server (the handler supports it). */
export async function serveApi(options: {
  db: Database;
  port: number;
  clock: Clock;
  logger: Logger;
  verifyIdToken(token: string): Promise<IdTokenClaims>;
  reconcileNow(): Promise<void>;
}): Promise<ServedApi> {
  const handler = createApiHandler({
    db: options.db,
    verifyIdToken: options.verifyIdToken,
    clock: options.clock,
    reconcileNow: options.reconcileNow,
    logger: options.logger.child({ function: 'api' }),
  });
  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      options.logger.error('api handler failed', { error: String(error) });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'INTERNAL', message: 'Internal error' } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
