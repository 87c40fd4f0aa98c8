import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAlertLevels, parseAlertWebhookStatus } from '../../contract/alert-webhook';
import {
  afterAttempt,
  ALERT_WEBHOOK_CONTENT_MAX,
  ALERT_WEBHOOK_MAX_ATTEMPTS,
  alertWebhookBody,
  alertWebhookRetryDelayMs,
  claimDelivery,
  notificationsDue,
  type AlertDelivery,
} from './alert-notifications';

const both = ['critical', 'warning'] as const;
const open = { level: 'critical', resolved: false } as const;

describe('notificationsDue', () => {
  it('posts once when an alert is created and once when it is resolved', () => {
    expect(notificationsDue(null, open, both)).toEqual(['raised']);
    expect(notificationsDue(open, { ...open, resolved: true }, both)).toEqual(['resolved']);
  });

  it('posts nothing for an acknowledgement, a rewrite of the same alert or a deletion', () => {
    expect(notificationsDue(open, open, both)).toEqual([]);
    const resolved = { ...open, resolved: true };
    expect(notificationsDue(resolved, resolved, both)).toEqual([]);
    expect(notificationsDue(open, null, both)).toEqual([]);
  });

  it('filters by level', () => {
    expect(notificationsDue(null, { level: 'info', resolved: false }, both)).toEqual([]);
    expect(notificationsDue(null, { level: 'warning', resolved: false }, ['critical'])).toEqual([]);
    expect(notificationsDue(null, open, [])).toEqual([]);
  });

  it('an alert written already resolved calls for both, raised first', () => {
    expect(notificationsDue(null, { ...open, resolved: true }, both)).toEqual([
      'raised',
      'resolved',
    ]);
  });
});

describe('claimDelivery and afterAttempt', () => {
  const now = 1_000_000;
  it('takes a new notification and never one that was delivered', () => {
    const claim = claimDelivery(null, now);
    expect(claim.take).toBe(true);
    if (!claim.take) return;
    expect(claim.delivery.state).toBe('sending');
    const delivered = afterAttempt(claim.delivery, { ok: true }, now + 5);
    expect(delivered).toMatchObject({ state: 'delivered', attempts: 1 });
    expect(claimDelivery(delivered, now + 10 ** 9)).toEqual({ take: false, why: 'delivered' });
  });

  it('stands back while another delivery holds it, takes it over once its lease ran out', () => {
    const claim = claimDelivery(null, now);
    if (!claim.take) throw new Error('not taken');
    expect(claimDelivery(claim.delivery, now + 1)).toEqual({ take: false, why: 'busy' });
    expect(claimDelivery(claim.delivery, claim.delivery.leaseUntil).take).toBe(true);
  });

  it('retries a failure after a growing delay and gives up after the last attempt', () => {
    let delivery: AlertDelivery | null = null;
    let at = now;
    const delays: number[] = [];
    for (let attempt = 1; attempt <= ALERT_WEBHOOK_MAX_ATTEMPTS; attempt += 1) {
      const claim = claimDelivery(delivery, at);
      if (!claim.take) throw new Error(`attempt ${attempt} not taken: ${claim.why}`);
      delivery = afterAttempt(claim.delivery, { ok: false, error: 'HTTP 500' }, at);
      expect(delivery.attempts).toBe(attempt);
      if (delivery.state === 'failed') {
        expect(claimDelivery(delivery, at + 1)).toEqual({ take: false, why: 'not-yet' });
        delays.push(delivery.nextAttemptAt - at);
        at = delivery.nextAttemptAt;
      }
    }
    expect(delivery?.state).toBe('abandoned');
    expect(delivery?.lastError).toBe('HTTP 500');
    expect(claimDelivery(delivery, at + 10 ** 9)).toEqual({ take: false, why: 'abandoned' });
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(delays[0]).toBe(alertWebhookRetryDelayMs(1));
  });

  it('property: a delivered or abandoned notification is never taken again', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<AlertDelivery['state']>('delivered', 'abandoned'),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        (state, attempts, at, ignoreSchedule) => {
          const delivery: AlertDelivery = {
            state,
            attempts,
            leaseUntil: 0,
            nextAttemptAt: 0,
            lastError: null,
            updatedAt: 0,
          };
          return !claimDelivery(delivery, at, { ignoreSchedule }).take;
        },
      ),
    );
  });
});

describe('alertWebhookBody', () => {
  const alert = {
    level: 'critical',
    category: 'obs',
    title: 'OBS disconnected on vm-001',
    message: 'The show server on vm-001 has lost its <OBS> connection & *more*.',
    vmId: 'vm-001',
    sourceId: 'obs-disconnected-vm-001',
  } as const;

  it('carries the same facts for Discord (content) and Slack (text), each escaped its way', () => {
    const body = alertWebhookBody(alert, 'comp-a', 'raised');
    for (const text of [body.content, body.text]) {
      expect(text).toContain('CRITICAL alert: OBS disconnected on vm-001');
      expect(text).toContain('competition comp-a · vm-001 · obs');
    }
    expect(body.content.startsWith('**🔴 CRITICAL')).toBe(true);
    expect(body.text.startsWith('*🔴 CRITICAL')).toBe(true);
    expect(body.text).toContain('&lt;OBS&gt; connection &amp; *more*');
    expect(body.content).toContain('\\*more\\*');
  });

  it('says resolved without repeating the message; stays within Discord’s limit', () => {
    const resolved = alertWebhookBody(alert, 'pool', 'resolved');
    expect(resolved.content).toContain('Resolved (critical): OBS disconnected on vm-001');
    expect(resolved.content).not.toContain('lost its');
    expect(resolved.text).toContain('pool · vm-001');
    const long = alertWebhookBody({ ...alert, message: 'x'.repeat(5000) }, 'pool', 'raised');
    expect(long.content.length).toBe(ALERT_WEBHOOK_CONTENT_MAX);
    expect(long.text.length).toBe(ALERT_WEBHOOK_CONTENT_MAX);
  });
});

describe('parseAlertLevels', () => {
  it('accepts a list or none, in level order', () => {
    expect(parseAlertLevels('warning, critical')).toEqual({
      ok: true,
      value: ['critical', 'warning'],
    });
    expect(parseAlertLevels('none')).toEqual({ ok: true, value: [] });
  });
  it('names every unknown level', () => {
    const parsed = parseAlertLevels('critical,severe,loud');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors).toHaveLength(2);
    expect(parseAlertLevels(' , ').ok).toBe(false);
  });
});

describe('parseAlertWebhookStatus', () => {
  it('accepts an empty status and refuses a broken error', () => {
    expect(parseAlertWebhookStatus({})).toEqual({
      ok: true,
      value: { lastAttemptAt: null, lastDeliveredAt: null, lastError: null },
    });
    expect(parseAlertWebhookStatus({ lastError: { at: 1 } }).ok).toBe(false);
  });
});
