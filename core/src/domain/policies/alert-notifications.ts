// Alert notifications to a chat webhook (Discord or Slack): which alert changes are posted,
// what the post says, and when a failed post is tried again. The control plane does the I/O.
import type { Alert, AlertLevel } from '../../contract/alert';
import type { AlertNotificationEvent } from '../../contract/alert-webhook';

/** Posts tried within one delivery before the rest is left to the scheduled retries. */
export const ALERT_WEBHOOK_IMMEDIATE_ATTEMPTS = 3;
/** Posts tried in all before a notification is given up (its error stays visible to admins). */
export const ALERT_WEBHOOK_MAX_ATTEMPTS = 8;
/** How long one delivery may hold a notification before another may take it over. */
export const ALERT_WEBHOOK_LEASE_MS = 2 * 60_000;
/** Discord refuses `content` over 2000 characters; Slack truncates `text` beyond 40,000. */
export const ALERT_WEBHOOK_CONTENT_MAX = 2000;

/**
 * Which notifications an alert write calls for, given the alert before and after the write
 * (null: absent). Raised: the alert was created. Resolved: it became resolved. Any other change
 * (an acknowledgement, the same condition derived again, a rewrite) calls for none.
 */
export function notificationsDue(
  before: Pick<Alert, 'resolved'> | null,
  after: Pick<Alert, 'level' | 'resolved'> | null,
  levels: readonly AlertLevel[],
): AlertNotificationEvent[] {
  if (after === null || !levels.includes(after.level)) return [];
  const due: AlertNotificationEvent[] = [];
  if (before === null) due.push('raised');
  if (after.resolved && before?.resolved !== true) due.push('resolved');
  return due;
}

/** The delivery state of one notification (control-plane bookkeeping). */
export interface AlertDelivery {
  state: 'sending' | 'failed' | 'delivered' | 'abandoned';
  attempts: number;
  /** While `sending`: until when the delivery that took it holds it. */
  leaseUntil: number;
  /** While `failed`: when the next post may be tried. */
  nextAttemptAt: number;
  lastError: string | null;
  updatedAt: number;
}

export type DeliveryClaim =
  | { take: true; delivery: AlertDelivery }
  | { take: false; why: 'delivered' | 'abandoned' | 'busy' | 'not-yet' };

/**
 * Whether a delivery may take the notification now (inside a transaction on its record): only
 * one delivery posts it at a time, and never again once it was delivered.
 */
export function claimDelivery(
  current: AlertDelivery | null,
  now: number,
  options: { ignoreSchedule?: boolean } = {},
): DeliveryClaim {
  if (current?.state === 'delivered') return { take: false, why: 'delivered' };
  if (current?.state === 'abandoned') return { take: false, why: 'abandoned' };
  if (current?.state === 'sending' && current.leaseUntil > now) return { take: false, why: 'busy' };
  if (current?.state === 'failed' && current.nextAttemptAt > now && !options.ignoreSchedule)
    return { take: false, why: 'not-yet' };
  return {
    take: true,
    delivery: {
      state: 'sending',
      attempts: current?.attempts ?? 0,
      leaseUntil: now + ALERT_WEBHOOK_LEASE_MS,
      nextAttemptAt: 0,
      lastError: current?.lastError ?? null,
      updatedAt: now,
    },
  };
}

/** Wait before post number `attempt + 1` after `attempt` failed posts: 2 s, 8 s, 32 s, … 15 min. */
export function alertWebhookRetryDelayMs(attempt: number): number {
  return Math.min(2000 * 4 ** Math.max(0, attempt - 1), 15 * 60_000);
}

/** The record after a post: delivered, failed (with the next try), or given up. */
export function afterAttempt(
  delivery: AlertDelivery,
  outcome: { ok: true } | { ok: false; error: string },
  now: number,
): AlertDelivery {
  const attempts = delivery.attempts + 1;
  if (outcome.ok) {
    return {
      ...delivery,
      state: 'delivered',
      attempts,
      leaseUntil: 0,
      nextAttemptAt: 0,
      updatedAt: now,
    };
  }
  const gaveUp = attempts >= ALERT_WEBHOOK_MAX_ATTEMPTS;
  return {
    state: gaveUp ? 'abandoned' : 'failed',
    attempts,
    leaseUntil: 0,
    nextAttemptAt: gaveUp ? 0 : now + alertWebhookRetryDelayMs(attempts),
    lastError: outcome.error.slice(0, 2000),
    updatedAt: now,
  };
}

const LEVEL_MARK: Readonly<Record<AlertLevel, string>> = {
  critical: '🔴',
  warning: '🟠',
  info: '🔵',
};

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
/** Discord's markdown: a backslash shows a markup character literally. */
const discordText = (text: string) => oneLine(text).replace(/[*_~`|\\>]/g, (char) => `\\${char}`);
/** Slack's mrkdwn: only &, < and > must be escaped (as entities). */
const slackText = (text: string) =>
  oneLine(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The webhook's JSON body: `content` for Discord, `text` for Slack (each ignores the other's
 * field), the same facts in each one's markup.
 */
export function alertWebhookBody(
  alert: Pick<Alert, 'level' | 'category' | 'title' | 'message' | 'vmId' | 'sourceId'>,
  scope: string,
  event: AlertNotificationEvent,
): { content: string; text: string } {
  const where = [scope === 'pool' ? 'pool' : `competition ${scope}`, alert.vmId]
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .join(' · ');
  const compose = (escape: (text: string) => string, bold: (text: string) => string) => {
    const title = escape(alert.title);
    const headline =
      event === 'raised'
        ? `${LEVEL_MARK[alert.level]} ${alert.level.toUpperCase()} alert: ${title}`
        : `✅ Resolved (${alert.level}): ${title}`;
    const details = event === 'raised' ? escape(alert.message) : '';
    const footer = escape(`${where} · ${alert.category} · ${alert.sourceId}`);
    return clip(
      [bold(headline), details, footer].filter((line) => line !== '').join('\n'),
      ALERT_WEBHOOK_CONTENT_MAX,
    );
  };
  return {
    content: compose(discordText, (text) => `**${text}**`),
    text: compose(slackText, (text) => `*${text}*`),
  };
}
