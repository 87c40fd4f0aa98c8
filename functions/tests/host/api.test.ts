import { describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { addCompetition, seedVm } from '../support/fixtures';
import { useFunctionsHost } from '../support/functions-host';

// The API's token check is its own narrow port; these stand for verified ID tokens.
const TOKENS: Record<string, { uid: string; admin?: boolean; producer?: boolean }> = {
  'admin-token': { uid: 'admin-uid', admin: true },
  'producer-token': { uid: 'producer-1', producer: true },
};

const env = useFunctionsHost({
  config: { minWarmVMs: 0, autoStopAfterHours: 0 },
  seed: async (admin, compute) => {
    await addCompetition(admin.db, 'meet-1', 'producer-1');
    await seedVm(admin.db, compute, 'vm-001', 'available', Date.now());
  },
  host: {
    httpPort: 0,
    verifyIdToken: async (token) => {
      const claims = TOKENS[token];
      if (!claims) throw new Error('invalid token');
      return claims;
    },
  },
});

async function call(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${env.host.httpUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the HTTPS API served by the local host', () => {
  it('assigns through the same request use case as an RTDB request', async () => {
    expect(env.host.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await call('POST', '/api/competitions/meet-1/vm/assign', 'producer-token', {});
    expect(answer.status).toBeLessThan(300);
    const config = (await env.admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
    expect(config.vmId).toBe('vm-001');
  });

  it('keeps /api/admin for admins and runs the health check through reconcile', async () => {
    expect((await call('GET', '/api/admin/vm-pool', 'producer-token')).status).toBe(403);
    const pool = await call('POST', '/api/admin/vm-pool/health-check', 'admin-token');
    expect(pool.status).toBe(200);
    expect(JSON.stringify(pool.body)).toContain('vm-001');
  });
});
