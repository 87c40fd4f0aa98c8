import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { startApiHarness, type ApiHarness } from './api-harness';

let api: ApiHarness;

// No functions host here: nothing processes the request rows, which is what the 202 path needs.
beforeAll(async () => {
  api = await startApiHarness({ withHost: false, waitForResultMs: 300 });
}, 60_000);

afterAll(async () => {
  await api?.stop();
}, 30_000);

describe('API errors and the unfinished-request path', () => {
  it('requires a Firebase ID token', async () => {
    const none = await api.call('GET', '/api/admin/vm-pool', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.body.error).toMatchObject({ code: 'UNAUTHENTICATED' });
    const forged = await api.call('GET', '/api/admin/vm-pool', { token: 'token-forged' });
    expect(forged.status).toBe(401);
    expect((forged.body.error as { message: string }).message).toContain('invalid signature');
  });

  it('keeps /api/admin for admins', async () => {
    for (const token of ['token-producer', 'token-viewer']) {
      const answer = await api.call('POST', '/api/admin/vm-pool/vm-001/start', { token });
      expect(answer.status).toBe(403);
      expect(answer.body.error).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect((await api.admin.db.ref(paths.requests()).get()).exists()).toBe(false);
  });

  it('answers unknown routes with 404 and wrong methods with 405 and Allow', async () => {
    const unknown = await api.call('GET', '/api/admin/vm-pools');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'NOT_FOUND' });
    const badVmId = await api.call('POST', '/api/admin/vm-pool/VM_1/start');
    expect(badVmId.status).toBe(404);
    const wrong = await api.call('POST', '/api/admin/vm-pool/config');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, PUT');
    const wrongVm = await api.call('PUT', '/api/admin/vm-pool/vm-001');
    expect(wrongVm.headers.get('allow')).toBe('GET, DELETE');
  });

  it('refuses bad JSON, non-JSON bodies and oversized bodies clearly', async () => {
    const badJson = await api.call('PUT', '/api/admin/vm-pool/config', {
      rawBody: '{"minWarmVMs": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error).toMatchObject({ code: 'INVALID_JSON' });
    const text = await api.call('PUT', '/api/admin/vm-pool/config', {
      rawBody: 'minWarmVMs=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(text.status).toBe(415);
    const huge = await api.call('PUT', '/api/admin/vm-pool/config', {
      body: { keyPairName: 'k'.repeat(70_000) },
    });
    expect(huge.status).toBe(413);
    const list = await api.call('PUT', '/api/admin/vm-pool/config', { body: [1, 2] });
    expect(list.status).toBe(400);
  });

  it('answers 202 with the request id when the result is not final in time, then serves it', async () => {
    const answer = await api.call('POST', '/api/admin/vm-pool/vm-001/reboot');
    expect(answer.status).toBe(202);
    const requestId = answer.body.requestId as string;
    expect(answer.body.result).toBeNull();

    const pending = await api.call('GET', `/api/requests/${requestId}`);
    expect(pending.status).toBe(202);

    // Test stand-in for the control plane: completes the request as the trigger would.
    await api.admin.db.ref(paths.requestResult(requestId)).set({
      state: 'succeeded',
      step: 'done',
      progress: 1,
      message: 'Rebooted vm-001',
      updatedAt: Date.now(),
    });
    const done = await api.call('GET', `/api/requests/${requestId}`);
    expect(done.status).toBe(200);
    expect(done.body.result).toMatchObject({ state: 'succeeded', message: 'Rebooted vm-001' });

    const stranger = await api.call('GET', `/api/requests/${requestId}`, {
      token: 'token-producer',
    });
    expect(stranger.status).toBe(404);
  });

  it('returns the final result as soon as it is written while the call waits', async () => {
    const slow = await startApiHarness({ withHost: false, waitForResultMs: 15_000 });
    try {
      const requests = slow.admin.db.ref(paths.requests());
      // Test stand-in for the control plane: fails every new request with a coded error.
      const listener = requests.on('child_added', (snapshot) => {
        void snapshot.ref.child('result').set({
          state: 'failed',
          step: 'check',
          progress: 1,
          message: 'No such VM',
          error: { code: 'VM_NOT_FOUND', message: 'There is no VM vm-009' },
          updatedAt: Date.now(),
        });
      });
      const answer = await slow.call('POST', '/api/admin/vm-pool/vm-009/stop');
      requests.off('child_added', listener);
      expect(answer.status).toBe(404);
      expect(answer.body.error).toMatchObject({ code: 'VM_NOT_FOUND' });
    } finally {
      await slow.stop();
    }
  });
});
