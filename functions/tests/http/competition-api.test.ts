import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { addCompetition, agentReport, seedVm, writeConfig } from '../support/fixtures';
import { startApiHarness, type ApiHarness } from './api-harness';

let api: ApiHarness;

beforeAll(async () => {
  // A release waits for the agent's archive and reset commands: it answers 202 after 3 s.
  api = await startApiHarness({ waitForResultMs: 3000 });
  // One VM at most, so that a second competition finds none.
  await writeConfig(api.admin.db, {
    minWarmVMs: 0,
    maxTotalVMs: 1,
    maxConcurrent: 1,
    autoStopAfterHours: 0,
    amiId: 'ami-0123456789abcdef0',
  });
  await addCompetition(api.admin.db, 'meet-1', 'producer-pat');
  await addCompetition(api.admin.db, 'meet-2', 'producer-olga');
  await seedVm(api.admin.db, api.compute, 'vm-001', 'available', Date.now());
}, 60_000);

afterAll(async () => {
  await api?.stop();
}, 30_000);

describe('competition API over the local functions host', () => {
  it('shows no VM before assignment, and 404 for an unknown competition', async () => {
    const none = await api.call('GET', '/api/competitions/meet-1/vm', { token: 'token-producer' });
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ competitionId: 'meet-1', vmId: null, vmAddress: null, vm: null });
    const unknown = await api.call('GET', '/api/competitions/meet-9/vm');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'COMPETITION_NOT_FOUND' });
  });

  it('lets a producer assign a warm VM to their competition', async () => {
    const answer = await api.call('POST', '/api/competitions/meet-1/vm/assign', {
      token: 'token-producer',
      body: {},
    });
    expect(answer.status).toBe(200);
    expect(answer.body.result).toMatchObject({ state: 'succeeded', vmId: 'vm-001' });
    const config = (await api.admin.db.ref(paths.competitionConfig('meet-1')).get()).val() as {
      vmId: string;
      vmAddress: string;
    };
    expect(config.vmId).toBe('vm-001');
    expect(config.vmAddress).toMatch(/:3003$/);

    const shown = await api.call('GET', '/api/competitions/meet-1/vm', { token: 'token-producer' });
    expect(shown.body).toMatchObject({ vmId: 'vm-001', vmAddress: config.vmAddress });
    expect(shown.body.vm).toMatchObject({ vmId: 'vm-001', assignedTo: 'meet-1' });
  });

  it('tests the connection from the agent’s latest report', async () => {
    const reachable = await api.call('POST', '/api/competitions/meet-1/vm/test', {
      token: 'token-producer',
    });
    expect(reachable.status).toBe(200);
    expect(reachable.body).toMatchObject({ vmId: 'vm-001', reachable: true, health: 'healthy' });

    await api.admin.db
      .ref(paths.vmAgent('vm-001'))
      .set(agentReport(Date.now() - 10 * 60_000, { online: false }));
    const gone = await api.call('POST', '/api/competitions/meet-1/vm/test', {
      token: 'token-producer',
    });
    expect(gone.body).toMatchObject({ reachable: false, health: 'unhealthy' });
    expect(gone.body.reasons).toContain('the agent is offline');
    await api.admin.db.ref(paths.vmAgent('vm-001')).set(agentReport(Date.now()));
  });

  it('refuses a producer anything about another producer’s competition', async () => {
    for (const [method, path] of [
      ['GET', '/api/competitions/meet-2/vm'],
      ['POST', '/api/competitions/meet-2/vm/assign'],
      ['POST', '/api/competitions/meet-2/vm/release'],
      ['POST', '/api/competitions/meet-2/vm/test'],
    ] as const) {
      const answer = await api.call(method, path, { token: 'token-producer' });
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.body.error).toMatchObject({ code: 'FORBIDDEN' });
    }
    const viewer = await api.call('GET', '/api/competitions/meet-1/vm', { token: 'token-viewer' });
    expect(viewer.status).toBe(403);
  });

  it('refuses a second assign for a competition that already holds a VM', async () => {
    const again = await api.call('POST', '/api/competitions/meet-1/vm/assign', {
      token: 'token-producer',
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'ALREADY_ASSIGNED' });
    expect((again.body.error as { message: string }).message).toContain('vm-001');
  });

  it('refuses an assign when no VM is free and the pool is at its maximum', async () => {
    const answer = await api.call('POST', '/api/competitions/meet-2/vm/assign', {
      token: 'token-other-producer',
    });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toEqual({
      code: 'NO_VM_AVAILABLE',
      message:
        'No VM available: the only VM is busy (1 assigned) and the pool is at its maximum of 1 (maxTotalVMs)',
    });
  });

  it('releases the VM through a release request row', async () => {
    const answer = await api.call('POST', '/api/competitions/meet-1/vm/release', {
      token: 'token-producer',
      body: { archiveRecordings: false },
    });
    expect([200, 202]).toContain(answer.status);
    const requestId = answer.body.requestId as string;
    expect(requestId).toMatch(/\S/);
    const row = (await api.admin.db.ref(paths.request(requestId)).get()).val() as Record<
      string,
      unknown
    >;
    expect(row).toMatchObject({
      action: 'release',
      competitionId: 'meet-1',
      requestedBy: 'producer-pat',
      options: { archiveRecordings: false },
    });
  });

  it("refuses a caller whose uid is the schedule's name, writing nothing", async () => {
    // Even as a producer of the show, or its requests would pass as the control plane's.
    await api.admin.db.ref(paths.producerAccessFor('schedule', 'meet-2')).set(true);
    const before = (await api.admin.db.ref(paths.requests()).get()).val() as object | null;
    const answer = await api.call('POST', '/api/competitions/meet-2/vm/assign', {
      token: 'token-schedule',
      body: {},
    });
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({ code: 'FORBIDDEN' });
    const after = (await api.admin.db.ref(paths.requests()).get()).val() as object | null;
    expect(Object.keys(after ?? {})).toEqual(Object.keys(before ?? {}));
    await api.admin.db.ref(paths.producerAccessFor('schedule', 'meet-2')).remove();
  });
});
