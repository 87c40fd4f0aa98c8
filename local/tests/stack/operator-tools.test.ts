// `npm start -- --headless --alert-webhook URL` for real: the HTTPS API answers on its port with
// the Auth emulator's ID tokens, and a critical alert reaches a webhook receiver once when it is
// raised and once when it is resolved.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/stack/config';
import { startWebApp } from '../../src/stack/web-app';
import { freePort, REPO_ROOT, startHeadless, type RunningHeadless } from './headless-stack';
import { demoIdToken } from './demo-sign-in';

interface Post {
  at: number;
  body: { content?: string; text?: string };
}

function startReceiver(): Promise<{ server: Server; url: string; posts: Post[] }> {
  const posts: Post[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      posts.push({ at: Date.now(), body: JSON.parse(body) as Post['body'] });
      res.writeHead(204).end();
    });
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () =>
      done({
        server,
        posts,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/token`,
      }),
    ),
  );
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | null>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('npm start: HTTPS API and alert webhook', { timeout: 420_000 }, () => {
  let dataDir = '';
  let running: RunningHeadless | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const ports = { db: 0, auth: 0, control: 0, api: 0 };
  const competition = 'state-champs-w-2026';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vmpool-operator-'));
    receiver = await startReceiver();
    ports.db = await freePort();
    ports.auth = await freePort();
    ports.control = await freePort();
    ports.api = await freePort();
    running = await startHeadless(dataDir, ports, `127.0.${120 + (process.pid % 40)}`, 300_000, [
      '--alert-webhook',
      receiver.url,
    ]);
  }, 320_000);

  afterAll(async () => {
    await running?.stop();
    receiver?.server.closeAllConnections();
    receiver?.server.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the API URL and the webhook without its token', () => {
    const output = running?.output() ?? '';
    expect(output).toContain(`HTTPS API     http://127.0.0.1:${ports.api}/api/`);
    expect(output).toMatch(/alert webhook http:\/\/127\.0\.0\.1:\d+\/… {3}\(critical, warning\)/);
    expect(output).not.toContain('/webhooks/token');
  });

  it('serves /api/ with Auth emulator ID tokens, and refuses calls without one', async () => {
    const api = `http://127.0.0.1:${ports.api}/api`;
    const anonymous = await fetch(`${api}/admin/vm-pool`);
    expect(anonymous.status).toBe(401);
    const admin = await demoIdToken(ports.auth, 'admin@vmpool.local');
    const pool = await fetch(`${api}/admin/vm-pool`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(pool.status).toBe(200);
    const body = (await pool.json()) as { vms: { vmId: string }[] };
    expect(body.vms.map((vm) => vm.vmId)).toContain('vm-001');
    const producer = await demoIdToken(ports.auth, 'producer@vmpool.local');
    const forbidden = await fetch(`${api}/admin/vm-pool`, {
      headers: { authorization: `Bearer ${producer}` },
    });
    expect(forbidden.status).toBe(403);
  });

  it("the web app's Vite server (web/vite.config.ts) proxies /api/ on its origin to the API", async () => {
    // What npm start without --headless runs: the Vite dev server with VMPOOL_API_TARGET.
    const web = await startWebApp({
      repoRoot: REPO_ROOT,
      logDir: join(dataDir, 'web-proxy-logs'),
      host: '127.0.0.1',
      port: await freePort(),
      mode: 'dev',
      authEmulatorHost: `127.0.0.1:${ports.auth}`,
      databaseHost: `127.0.0.1:${ports.db}`,
      namespace: SETTINGS.namespace.fallback,
      apiUrl: `http://127.0.0.1:${ports.api}`,
      readyTimeoutMs: 180_000,
    });
    try {
      const api = `${web.url}api`;
      expect(api).not.toContain(String(ports.api));
      const anonymous = await fetch(`${api}/admin/vm-pool`);
      expect(anonymous.status).toBe(401);
      const admin = await demoIdToken(ports.auth, 'admin@vmpool.local');
      const pool = await fetch(`${api}/admin/vm-pool`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(pool.status).toBe(200);
      const body = (await pool.json()) as { vms: { vmId: string }[] };
      expect(body.vms.map((vm) => vm.vmId)).toContain('vm-001');
    } finally {
      await web.stop();
    }
  }, 240_000);

  it('a critical alert reaches the webhook within 90 s, once; its resolution once', async () => {
    const api = `http://127.0.0.1:${ports.api}/api`;
    const producer = await demoIdToken(ports.auth, 'producer@vmpool.local');
    const assign = await fetch(`${api}/competitions/${competition}/vm/assign`, {
      method: 'POST',
      headers: { authorization: `Bearer ${producer}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect([200, 202]).toContain(assign.status);
    const { requestId } = (await assign.json()) as { requestId: string };
    const vmId = await until('the assignment', 180_000, async () => {
      const response = await fetch(`${api}/requests/${requestId}`, {
        headers: { authorization: `Bearer ${producer}` },
      });
      const { result } = (await response.json()) as {
        result?: { state: string; vmId?: string; error?: unknown };
      };
      if (result?.state === 'failed') throw new Error(`assign failed: ${JSON.stringify(result)}`);
      return result?.state === 'succeeded' && result.vmId ? result.vmId : null;
    });

    const control = `http://127.0.0.1:${ports.control}/__local/vms/${vmId}/obs`;
    const droppedAt = Date.now();
    const drop = await fetch(control, { method: 'POST', body: '{"connected":false}' });
    expect(drop.status).toBe(200);
    const raised = await until('the raised post', 90_000, async () =>
      receiver.posts.length > 0 ? receiver.posts[0]! : null,
    );
    console.log(`webhook: critical alert posted ${raised.at - droppedAt} ms after OBS dropped`);
    expect(raised.body.content).toContain(`CRITICAL alert: OBS disconnected on ${vmId}`);
    expect(raised.body.text).toContain(`CRITICAL alert: OBS disconnected on ${vmId}`);
    expect(raised.at - droppedAt).toBeLessThan(90_000);

    await fetch(control, { method: 'POST', body: '{"connected":true}' });
    const resolved = await until('the resolved post', 90_000, async () =>
      receiver.posts.length > 1 ? receiver.posts[1]! : null,
    );
    expect(resolved.body.content).toContain(`Resolved (critical): OBS disconnected on ${vmId}`);

    // Agent reports and reconciles go on (every 10 s): the same alert derives no further post.
    await new Promise((r) => setTimeout(r, 25_000));
    const obsPosts = receiver.posts.filter((post) =>
      post.body.content?.includes('OBS disconnected'),
    );
    expect(obsPosts).toHaveLength(2);
  });
});
