import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/http/caller';
import { resolveRoute, type Route } from '../../src/http/router';

const answer = async () => ({ status: 200, body: {} });
const routes: Route[] = [
  { method: 'GET', path: '/admin/vm-pool/config', handle: answer },
  {
    method: 'GET',
    path: '/admin/vm-pool/:vmId',
    params: { vmId: /^vm-[a-z0-9-]+$/ },
    handle: answer,
  },
  {
    method: 'POST',
    path: '/admin/vm-pool/:vmId/start',
    params: { vmId: /^vm-[a-z0-9-]+$/ },
    handle: answer,
  },
];

function refusal(method: string, path: string): HttpError {
  try {
    resolveRoute(routes, method, path);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('resolved');
}

describe('resolveRoute', () => {
  it('matches with or without the /api prefix (Hosting rewrite or the function URL)', () => {
    expect(resolveRoute(routes, 'POST', '/api/admin/vm-pool/vm-007/start').params).toEqual({
      vmId: 'vm-007',
    });
    expect(resolveRoute(routes, 'POST', '/admin/vm-pool/vm-007/start').params).toEqual({
      vmId: 'vm-007',
    });
    expect(resolveRoute(routes, 'GET', '/api/admin/vm-pool/config/').route.path).toBe(
      '/admin/vm-pool/config',
    );
  });

  it('prefers a literal segment over a parameter that does not fit it', () => {
    expect(resolveRoute(routes, 'GET', '/api/admin/vm-pool/config').route.path).toBe(
      '/admin/vm-pool/config',
    );
    expect(resolveRoute(routes, 'GET', '/api/admin/vm-pool/vm-1').route.path).toBe(
      '/admin/vm-pool/:vmId',
    );
  });

  it('says 404 for unknown paths, 405 with the allowed methods for known ones, 400 for bad escapes', () => {
    expect(refusal('GET', '/api/admin/vm-pool/vm-1/start/now').status).toBe(404);
    expect(refusal('GET', '/api/admin/vm-pool/Nope').status).toBe(404);
    const wrongMethod = refusal('DELETE', '/api/admin/vm-pool/vm-1/start');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers).toEqual({ allow: 'POST' });
    expect(refusal('GET', '/api/admin/vm-pool/%E0%A4%A').status).toBe(400);
  });
});
