import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { seedVm, writeConfig } from '../support/fixtures';
import { waitFor } from '../support/wait';
import { startApiHarness, type ApiHarness } from './api-harness';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness();
  await writeConfig(api.admin.db, { minWarmVMs: 0, autoStopAfterHours: 0 });
  const now = Date.now();
  await seedVm(api.admin.db, api.compute, 'vm-001', 'available', now);
  await seedVm(api.admin.db, api.compute, 'vm-002', 'stopped', now);
}, 60_000);

afterAll(async () => {
  await api?.stop();
}, 30_000);

/** Waits until the request's result is final, through the API itself. */
async function settled(requestId: string) {
  return waitFor(async () => {
    const answer = await api.call('GET', `/api/requests/${requestId}`);
    return answer.status === 202 ? undefined : answer;
  }, `request ${requestId} to finish`);
}

describe('admin API over the local functions host', () => {
  it('lists the pool with counts per status and the warm summary', async () => {
    const answer = await api.call('GET', '/api/admin/vm-pool');
    expect(answer.status).toBe(200);
    const vms = answer.body.vms as { vmId: string; status: string }[];
    expect(vms.map((vm) => vm.vmId)).toEqual(['vm-001', 'vm-002']);
    expect(answer.body.summary).toMatchObject({
      total: 2,
      counts: { available: 1, stopped: 1, assigned: 0 },
    });
    expect(answer.body.invalid).toEqual([]);
  });

  it('returns one VM, and 404 for a VM that does not exist', async () => {
    const found = await api.call('GET', '/api/admin/vm-pool/vm-001');
    expect(found.status).toBe(200);
    expect(found.body.vm).toMatchObject({ vmId: 'vm-001', status: 'available' });
    const missing = await api.call('GET', '/api/admin/vm-pool/vm-404');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'VM_NOT_FOUND' });
  });

  it('starts a stopped VM through the same request row and use case as RTDB clients', async () => {
    const answer = await api.call('POST', '/api/admin/vm-pool/vm-002/start');
    expect([200, 202]).toContain(answer.status);
    const requestId = answer.body.requestId as string;
    const row = (await api.admin.db.ref(paths.request(requestId)).get()).val() as Record<
      string,
      unknown
    >;
    expect(row).toMatchObject({ action: 'start', vmId: 'vm-002', requestedBy: 'admin-ada' });
    expect(typeof row.requestedAt).toBe('number');
    const done = answer.status === 200 ? answer : await settled(requestId);
    expect(done.status).toBe(200);
    expect(done.body.result).toMatchObject({ state: 'succeeded' });
  });

  it('reports a use-case refusal with its code and an HTTP status to match', async () => {
    const answer = await api.call('POST', '/api/admin/vm-pool/vm-404/stop');
    expect(answer.status).toBe(404);
    expect(answer.body.error).toMatchObject({ code: 'VM_NOT_FOUND' });
    expect(answer.body.result).toMatchObject({ state: 'failed' });
  });

  it('refuses a launch while no AMI is configured (CONFIG_INCOMPLETE)', async () => {
    const answer = await api.call('POST', '/api/admin/vm-pool/launch', {
      body: { instanceType: 't3.xlarge' },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toMatchObject({ code: 'CONFIG_INCOMPLETE' });
  });

  it('validates request options before writing anything', async () => {
    const before = (await api.admin.db.ref(paths.requests()).get()).numChildren();
    const answer = await api.call('POST', '/api/admin/vm-pool/launch', {
      body: { instanceType: 'huge', colour: 'red' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'INVALID_REQUEST' });
    const details = (answer.body.error as { details: string[] }).details.join('\n');
    expect(details).toContain('options.instanceType');
    expect(details).toContain('colour');
    expect((await api.admin.db.ref(paths.requests()).get()).numChildren()).toBe(before);
  });

  it('puts a VM into maintenance and back', async () => {
    const on = await api.call('POST', '/api/admin/vm-pool/vm-001/maintenance', {
      body: { enabled: true },
    });
    expect(on.status).toBe(200);
    expect((await api.call('GET', '/api/admin/vm-pool/vm-001')).body.vm).toMatchObject({
      status: 'maintenance',
    });
    const off = await api.call('POST', '/api/admin/vm-pool/vm-001/maintenance', {
      body: { enabled: false },
    });
    expect(off.status).toBe(200);
    const missing = await api.call('POST', '/api/admin/vm-pool/vm-001/maintenance', { body: {} });
    expect(missing.status).toBe(400);
  });

  it('terminates a VM with DELETE', async () => {
    const answer = await api.call('DELETE', '/api/admin/vm-pool/vm-001');
    expect([200, 202]).toContain(answer.status);
    const done = answer.status === 200 ? answer : await settled(answer.body.requestId as string);
    expect(done.body.result).toMatchObject({ state: 'succeeded' });
  });

  it('runs a health check (the reconcile) and returns the pool after it', async () => {
    const before = api.reconciles;
    const answer = await api.call('POST', '/api/admin/vm-pool/health-check');
    expect(answer.status).toBe(200);
    expect(api.reconciles).toBe(before + 1);
    expect(answer.body).toHaveProperty('vms');
    expect(typeof answer.body.checkedAt).toBe('number');
  });
});

describe('pool config over the API', () => {
  it('reads the config completed with defaults', async () => {
    const answer = await api.call('GET', '/api/admin/vm-pool/config');
    expect(answer.status).toBe(200);
    expect(answer.body.config).toMatchObject({
      minWarmVMs: 0,
      maxTotalVMs: 5,
      awsRegion: 'us-east-1',
    });
  });

  it('saves valid fields, keeps the others, and stamps who changed it', async () => {
    const answer = await api.call('PUT', '/api/admin/vm-pool/config', {
      body: { maxTotalVMs: 8, amiId: 'ami-0123456789abcdef0' },
    });
    expect(answer.status).toBe(200);
    const stored = (await api.admin.db.ref(paths.poolConfig()).get()).val() as Record<
      string,
      unknown
    >;
    expect(stored).toMatchObject({
      maxTotalVMs: 8,
      amiId: 'ami-0123456789abcdef0',
      minWarmVMs: 0,
      updatedBy: 'admin-ada',
    });
  });

  it('reports every problem together and saves nothing', async () => {
    const before = (await api.admin.db.ref(paths.poolConfig()).get()).val() as unknown;
    const answer = await api.call('PUT', '/api/admin/vm-pool/config', {
      body: { minWarmVMs: 99, maxTotalVMs: 3, amiId: 'not-an-ami', minWarmVms: 1, updatedBy: 'me' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'INVALID_CONFIG' });
    const details = (answer.body.error as { details: string[] }).details.join('\n');
    expect(details).toContain('minWarmVMs');
    expect(details).toContain('amiId');
    expect(details).toContain('minWarmVms: unknown field');
    expect(details).toContain('updatedBy: is set by the server');
    expect((await api.admin.db.ref(paths.poolConfig()).get()).val()).toEqual(before);
  });
});
