// Issue 9, design gap "rate limits": 200 API assigns in one second were all accepted, each a
// row and a function run. Now the API claims one of the caller's per-minute slots before it
// writes anything: the rest are answered 429 RATE_LIMITED with Retry-After, and nothing is
// written for them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths, REQUEST_LIMITS } from '@vmpool/core';
import { addCompetition, seedVm, writeConfig } from '../support/fixtures';
import { startApiHarness, type ApiHarness } from './api-harness';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness({ waitForResultMs: 0 });
  await writeConfig(api.admin.db, { minWarmVMs: 0, maxTotalVMs: 2, autoStopAfterHours: 0 });
  await addCompetition(api.admin.db, 'meet-1', 'producer-pat');
  await addCompetition(api.admin.db, 'meet-2', 'producer-olga');
  await seedVm(api.admin.db, api.compute, 'vm-001', 'available', Date.now());
  await seedVm(api.admin.db, api.compute, 'vm-002', 'available', Date.now());
}, 60_000);

afterAll(async () => {
  await api?.stop();
}, 30_000);

async function rowsBy(uid: string): Promise<string[]> {
  const rows = ((await api.admin.db.ref(paths.requests()).get()).val() ?? {}) as Record<
    string,
    { requestedBy?: string }
  >;
  return Object.keys(rows).filter((id) => rows[id]?.requestedBy === uid);
}

describe('rate limits on the HTTPS API', () => {
  it('answers 200 assigns in a burst with at most a minute’s worth of rows; the rest 429', async () => {
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        api.call('POST', '/api/competitions/meet-1/vm/assign', {
          token: 'token-producer',
          body: {},
        }),
      ),
    );
    const elapsed = Date.now() - started;
    const accepted = answers.filter((answer) => answer.status !== 429);
    const limited = answers.filter((answer) => answer.status === 429);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.length).toBeLessThanOrEqual(REQUEST_LIMITS.producer.perMinute);
    expect(limited.length).toBe(200 - accepted.length);
    let perMinute = 0;
    for (const answer of limited) {
      expect(answer.body.error).toMatchObject({ code: 'RATE_LIMITED' });
      const message = String((answer.body.error as { message: string }).message);
      // Refused by the per-minute slots, or (while the first ones run) by the open requests.
      expect(message).toMatch(
        /^Too many (requests: at most 10 per minute; try again in \d+ s|open requests: at most 5 may run at once)/,
      );
      if (message.includes('per minute')) {
        perMinute += 1;
        const retryAfter = Number(answer.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(60);
      }
    }
    expect(perMinute).toBeGreaterThan(0);
    // Only the accepted calls wrote a row (so only they cost a function run).
    expect((await rowsBy('producer-pat')).length).toBe(accepted.length);
    console.info(`200 API assigns answered in ${String(elapsed)} ms`);
  });

  it('does not hinder another producer meanwhile: assign, then release', async () => {
    const assign = await api.call('POST', '/api/competitions/meet-2/vm/assign', {
      token: 'token-other-producer',
      body: {},
    });
    expect(assign.status).not.toBe(429);
    const release = await api.call('POST', '/api/competitions/meet-2/vm/release', {
      token: 'token-other-producer',
      body: {},
    });
    expect(release.status).not.toBe(429);
    expect((await rowsBy('producer-olga')).length).toBe(2);
  });

  it('lets an admin make many requests in a row', async () => {
    const answers = [];
    for (let index = 0; index < 20; index += 1) {
      const vmId = index % 2 === 0 ? 'vm-002' : 'vm-001';
      answers.push(
        await api.call('POST', `/api/admin/vm-pool/${vmId}/maintenance`, {
          token: 'token-admin',
          body: { enabled: index % 4 < 2 },
        }),
      );
    }
    expect(answers.filter((answer) => answer.status === 429)).toEqual([]);
    expect((await rowsBy('admin-ada')).length).toBe(20);
  });
});
