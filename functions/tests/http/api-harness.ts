import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { memoryLogger } from '@vmpool/core/ports';
import { MemoryCompute } from '../../src/adapters/memory';
import type { LocalFunctionsHost } from '../../src/host';
import { createApiHandler } from '../../src/http/api-handler';
import type { IdTokenClaims } from '../../src/http/caller';
import { startTestHost } from '../support/functions-host';
import { freshAdminDb, releaseRtdb, sharedRtdb, type AdminDb } from '../support/rtdb';

/**
 * ID tokens of the test callers. Verifying real Firebase ID tokens needs the Auth emulator;
 * the API takes `verifyIdToken` as a dependency, so the tests pass this table instead (uids
 * starting with "admin" are admins for the host's access check too, see testAccess).
 */
export const TOKENS: Record<string, IdTokenClaims> = {
  'token-admin': { uid: 'admin-ada', admin: true },
  'token-producer': { uid: 'producer-pat', producer: true },
  'token-other-producer': { uid: 'producer-olga', producer: true },
  'token-viewer': { uid: 'viewer-vic' },
  // An account whose uid is the schedule's name: the API must not let it act as the schedule.
  'token-schedule': { uid: 'schedule', producer: true },
};

export async function verifyTestIdToken(token: string): Promise<IdTokenClaims> {
  const claims = TOKENS[token];
  if (!claims) throw new Error('Firebase ID token has invalid signature');
  return claims;
}

export interface ApiHarness {
  admin: AdminDb;
  compute: MemoryCompute;
  /** the real request triggers over the local RTDB; null when the test runs without one */
  host: LocalFunctionsHost | null;
  reconciles: number;
  call(
    method: string,
    path: string,
    options?: {
      token?: string | null;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    },
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startApiHarness(
  options: { withHost?: boolean; waitForResultMs?: number } = {},
): Promise<ApiHarness> {
  const admin = await freshAdminDb(await sharedRtdb());
  const clock = { now: () => Date.now() };
  const compute = new MemoryCompute({ clock });
  const host =
    options.withHost === false
      ? null
      : await startTestHost({ admin, compute, clock, hostLog: memoryLogger() });
  const harness: ApiHarness = {
    admin,
    compute,
    host,
    reconciles: 0,
    call: async () => {
      throw new Error('not started');
    },
    stop: async () => undefined,
  };
  const handler = createApiHandler({
    db: admin.db,
    verifyIdToken: verifyTestIdToken,
    clock: { now: () => Date.now() },
    reconcileNow: async () => {
      harness.reconciles += 1;
      await host?.reconcileNow();
    },
    waitForResultMs: options.waitForResultMs ?? 20_000,
  });
  const server: Server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  harness.call = async (method, path, callOptions = {}) => {
    const token = callOptions.token === undefined ? 'token-admin' : callOptions.token;
    const headers: Record<string, string> = { ...callOptions.headers };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = callOptions.rawBody;
    if (callOptions.body !== undefined) {
      body = JSON.stringify(callOptions.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${base}${path}`, { method, headers, body });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
      headers: response.headers,
    };
  };
  harness.stop = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await host?.stop();
    await admin.close();
    await releaseRtdb();
  };
  return harness;
}
