// The alert webhook against the local RTDB server and a real HTTP receiver on 127.0.0.1:
// one post per raise and per resolution under duplicate and concurrent deliveries, retries
// with backoff, the last error kept for admins, the level filter.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '@vmpool/core/ports';
import { ALERT_WEBHOOK_IMMEDIATE_ATTEMPTS, paths, type AlertDraft } from '@vmpool/core';
import {
  alertWebhookUrlProblem,
  createHttpAlertWebhook,
  maskWebhookUrl,
} from '../src/adapters/webhook/http-alert-webhook';
import { rtdbAlertDeliveryStore } from '../src/store/rtdb/alert-deliveries';
import {
  notifyAlertWritten,
  retryAlertNotifications,
} from '../src/usecases/notifications/alert-notifications';
import { raiseAlert, resolveAlert } from '../src/usecases/shared/alerts';
import type { UseCaseDeps } from '../src/usecases/deps';
import { testDeps, T0 } from './support/deps';
import { alertDraft } from './support/fixtures';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();

/** A webhook receiver: records each JSON body; answers `failures` times with HTTP 500 first. */
class Receiver {
  posts: { content: string; text: string }[] = [];
  failures = 0;
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        if (this.failures > 0) {
          this.failures -= 1;
          res.writeHead(500).end('receiver down');
          return;
        }
        this.posts.push(JSON.parse(body) as { content: string; text: string });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((done) => this.server?.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook/secret-token`;
  }

  stop(): Promise<void> {
    return new Promise((done) => {
      this.server?.closeAllConnections();
      this.server?.close(() => done());
    });
  }
}

const receiver = new Receiver();
beforeAll(() => receiver.start());
afterAll(() => receiver.stop());

const draft = (sourceId: string, level: AlertDraft['level'] = 'critical'): AlertDraft =>
  alertDraft(sourceId, T0, level);

function notifyingDeps(levels: UseCaseDeps['settings']['alertWebhookLevels'] = ['critical']) {
  const clock = manualClock(T0);
  const sleeps: number[] = [];
  const deps = testDeps(env.admin.db, { clock });
  deps.notifications = {
    webhook: createHttpAlertWebhook({ url: () => receiver.url }),
    deliveries: rtdbAlertDeliveryStore(env.admin.db),
    levels,
    sleep: (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
      return Promise.resolve();
    },
  };
  return { deps, clock, sleeps };
}

async function alertValue(scope: string, sourceId: string): Promise<{ id: string; raw: unknown }> {
  const all = (await env.admin.db.ref(paths.alerts(scope)).get()).val() as Record<
    string,
    { sourceId: string }
  >;
  const [id, raw] = Object.entries(all).find(([, alert]) => alert.sourceId === sourceId) ?? [];
  if (id === undefined) throw new Error(`no alert ${sourceId}`);
  return { id, raw };
}

describe('alert webhook', () => {
  it('posts a raise once and its resolution once, whatever the duplicate deliveries', async () => {
    receiver.posts = [];
    const { deps, clock } = notifyingDeps();
    await raiseAlert(deps, draft('vm-unreachable-vm-001'));
    // The same condition derived again creates no second alert, hence no second write.
    await raiseAlert(deps, draft('vm-unreachable-vm-001'));
    const raised = await alertValue('meet-1', 'vm-unreachable-vm-001');
    // The trigger delivered five times, three of them at once.
    await Promise.all(
      [1, 2, 3].map(() => notifyAlertWritten(deps, 'meet-1', raised.id, null, raised.raw)),
    );
    await notifyAlertWritten(deps, 'meet-1', raised.id, null, raised.raw);
    expect(receiver.posts).toHaveLength(1);
    expect(receiver.posts[0]?.content).toContain('CRITICAL alert: vm-001 unreachable');
    expect(receiver.posts[0]?.text).toContain('CRITICAL alert: vm-001 unreachable');

    // An acknowledgement is a write too: no post.
    const acknowledged = {
      ...(raised.raw as object),
      acknowledged: true,
      acknowledgedBy: 'u1',
      acknowledgedAt: T0,
    };
    await notifyAlertWritten(deps, 'meet-1', raised.id, raised.raw, acknowledged);
    expect(receiver.posts).toHaveLength(1);

    clock.advance(60_000);
    await resolveAlert(deps, 'meet-1', 'vm-unreachable-vm-001');
    const resolved = await alertValue('meet-1', 'vm-unreachable-vm-001');
    await Promise.all(
      [1, 2].map(() => notifyAlertWritten(deps, 'meet-1', raised.id, acknowledged, resolved.raw)),
    );
    expect(receiver.posts).toHaveLength(2);
    expect(receiver.posts[1]?.content).toContain('Resolved (critical): vm-001 unreachable');

    const status = (await env.admin.db.ref(paths.alertWebhookStatus()).get()).val() as Record<
      string,
      unknown
    >;
    expect(status).toMatchObject({ lastDeliveredAt: T0 + 60_000 });
    expect(status.lastError ?? null).toBeNull();
  });

  it('filters by level and stays quiet about the resolution of an alert it never posted', async () => {
    receiver.posts = [];
    const { deps } = notifyingDeps(['critical']);
    await raiseAlert(deps, draft('show-server-down-vm-001', 'warning'));
    const warning = await alertValue('meet-1', 'show-server-down-vm-001');
    await notifyAlertWritten(deps, 'meet-1', warning.id, null, warning.raw);
    await notifyAlertWritten(deps, 'meet-1', warning.id, warning.raw, {
      ...(warning.raw as object),
      resolved: true,
      resolvedAt: T0,
    });
    expect(receiver.posts).toEqual([]);
    // With warnings in the filter, the same alert written again (not created) posts nothing.
    const { deps: both } = notifyingDeps(['critical', 'warning']);
    await notifyAlertWritten(both, 'meet-1', warning.id, warning.raw, warning.raw);
    expect(receiver.posts).toEqual([]);
  });

  it('retries with backoff, keeps the last error for admins, then the scheduled retry delivers', async () => {
    receiver.posts = [];
    const { deps, clock, sleeps } = notifyingDeps();
    await raiseAlert(deps, draft('obs-disconnected-vm-002'));
    const raised = await alertValue('meet-1', 'obs-disconnected-vm-002');

    receiver.failures = ALERT_WEBHOOK_IMMEDIATE_ATTEMPTS + 1;
    await notifyAlertWritten(deps, 'meet-1', raised.id, null, raised.raw);
    expect(receiver.posts).toEqual([]);
    expect(sleeps).toHaveLength(ALERT_WEBHOOK_IMMEDIATE_ATTEMPTS - 1);
    expect(sleeps[1]).toBeGreaterThan(sleeps[0] ?? Infinity);
    const status = (await env.admin.db.ref(paths.alertWebhookStatus()).get()).val() as {
      lastError: { message: string; attempts: number; gaveUp: boolean; alertId: string };
    };
    expect(status.lastError).toMatchObject({
      attempts: ALERT_WEBHOOK_IMMEDIATE_ATTEMPTS,
      gaveUp: false,
      alertId: raised.id,
    });
    expect(status.lastError.message).toContain('HTTP 500');
    // The URL's path is the webhook's token: never in the error admins read.
    expect(status.lastError.message).not.toContain('secret-token');

    // Not before its time; a duplicate delivery of the trigger does not jump the queue.
    expect(await retryAlertNotifications(deps)).toBe(0);
    await notifyAlertWritten(deps, 'meet-1', raised.id, null, raised.raw);
    expect(receiver.posts).toEqual([]);

    clock.advance(60 * 60_000);
    expect(await retryAlertNotifications(deps)).toBe(0); // the receiver's last failure
    clock.advance(60 * 60_000);
    expect(await retryAlertNotifications(deps)).toBe(1);
    expect(receiver.posts).toHaveLength(1);
    clock.advance(60 * 60_000);
    expect(await retryAlertNotifications(deps)).toBe(0);
    expect(receiver.posts).toHaveLength(1);
    const queue = (await env.admin.db.ref('vmPool/alertDeliveryQueue').get()).val() as unknown;
    expect(queue).toBeNull();
  });

  it('posts nothing and records nothing while no webhook is configured', async () => {
    receiver.posts = [];
    const { deps } = notifyingDeps();
    deps.notifications = {
      ...deps.notifications!,
      webhook: createHttpAlertWebhook({ url: () => 'none' }),
    };
    await raiseAlert(deps, draft('vm-unreachable-vm-009'));
    const raised = await alertValue('meet-1', 'vm-unreachable-vm-009');
    await notifyAlertWritten(deps, 'meet-1', raised.id, null, raised.raw);
    expect(receiver.posts).toEqual([]);
    expect((await env.admin.db.ref('vmPool/alertDeliveries').get()).exists()).toBe(false);
  });

  it('accepts https URLs, http only to loopback, and masks the token', () => {
    expect(alertWebhookUrlProblem('https://discord.com/api/webhooks/1/abc')).toBeNull();
    expect(alertWebhookUrlProblem('http://127.0.0.1:9/hook')).toBeNull();
    expect(alertWebhookUrlProblem('http://hooks.slack.com/services/x')).toMatch(/https/);
    expect(alertWebhookUrlProblem('not a url')).toMatch(/not a URL/);
    expect(maskWebhookUrl('https://hooks.slack.com/services/T0/B0/XYZ')).toBe(
      'https://hooks.slack.com/…',
    );
  });
});
