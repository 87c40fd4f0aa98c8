import { z } from 'zod';
import { ALERT_LEVELS, type AlertLevel } from './alert';
import { fail, ok, parseWith, type Parsed } from './parsed';
import { nullable, timestamp } from './rtdb-shapes';

/** The two notifications an alert can cause: when it is raised and when it is resolved. */
export const ALERT_NOTIFICATION_EVENTS = ['raised', 'resolved'] as const;
export type AlertNotificationEvent = (typeof ALERT_NOTIFICATION_EVENTS)[number];

/** The alert levels posted to the webhook when nothing else is configured. */
export const DEFAULT_ALERT_WEBHOOK_LEVELS: readonly AlertLevel[] = ['critical', 'warning'];

/**
 * `vmPool/alertWebhook` (control plane writes, admins read): how the alert webhook is doing.
 * The URL itself is a secret and never stored in the database.
 */
export interface AlertWebhookStatus {
  /** When a post was last tried. */
  lastAttemptAt: number | null;
  /** When a post last succeeded. */
  lastDeliveredAt: number | null;
  /** The last failed post (kept after later successes, with its time, until the next failure). */
  lastError: {
    at: number;
    message: string;
    scope: string;
    alertId: string;
    event: AlertNotificationEvent;
    attempts: number;
    /** true: no more retries for this notification. */
    gaveUp: boolean;
  } | null;
}

const statusSchema = z.object({
  lastAttemptAt: nullable(timestamp),
  lastDeliveredAt: nullable(timestamp),
  lastError: nullable(
    z.object({
      at: timestamp,
      message: z.string().max(2000),
      scope: z.string().min(1).max(128),
      alertId: z.string().min(1).max(128),
      event: z.enum(ALERT_NOTIFICATION_EVENTS),
      attempts: z.number().int().min(1),
      gaveUp: z.boolean(),
    }),
  ),
});

/** Validates `vmPool/alertWebhook`. */
export function parseAlertWebhookStatus(raw: unknown): Parsed<AlertWebhookStatus> {
  return parseWith(statusSchema, raw);
}

/**
 * A level filter as written in configuration: `critical,warning` (comma separated, any order),
 * or `none` for no notifications at all.
 */
export function parseAlertLevels(text: string): Parsed<AlertLevel[]> {
  const trimmed = text.trim();
  if (trimmed === 'none') return ok([]);
  const parts = trimmed
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) {
    return fail([`must list alert levels (${ALERT_LEVELS.join(', ')}) or be none`]);
  }
  const errors = parts
    .filter((part) => !(ALERT_LEVELS as readonly string[]).includes(part))
    .map((part) => `${JSON.stringify(part)} is not an alert level (${ALERT_LEVELS.join(', ')})`);
  if (errors.length > 0) return fail(errors);
  return ok(ALERT_LEVELS.filter((level) => parts.includes(level)));
}
