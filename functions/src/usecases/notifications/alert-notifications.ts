// Alert notifications: an alert write posts to the chat webhook once when the alert is raised
// and once when it is resolved. Each notification's delivery record (taken in a transaction)
// makes duplicate and concurrent trigger deliveries post once; a failed post is retried with
// backoff, first in the same delivery, then by the scheduled reconcile, and its error is kept
// at `vmPool/alertWebhook` for admins. Nothing here ever throws into the control plane.
import {
  ALERT_WEBHOOK_IMMEDIATE_ATTEMPTS,
  afterAttempt,
  alertWebhookBody,
  alertWebhookRetryDelayMs,
  notificationsDue,
  parseAlert,
  type Alert,
  type AlertLevel,
  type AlertNotificationEvent,
} from '@vmpool/core';
import type { Clock, Logger } from '@vmpool/core/ports';
import type { AlertDeliveryStore } from '../../store/rtdb/alert-deliveries';

/** A chat webhook (Discord, Slack): posts the body or throws why it could not. */
export interface AlertWebhookPort {
  /** false when no webhook URL is set: then nothing is posted or recorded. */
  configured(): boolean;
  post(body: { content: string; text: string }): Promise<void>;
}

/** What the notifications need; null in UseCaseDeps turns them off. */
export interface AlertNotifications {
  webhook: AlertWebhookPort;
  deliveries: AlertDeliveryStore;
  /** The levels that are posted (default critical and warning). */
  levels: readonly AlertLevel[];
  /** Waits between the immediate attempts (a timer in production, instant in some tests). */
  sleep(ms: number): Promise<void>;
}

export interface NotifyDeps {
  notifications?: AlertNotifications | null;
  clock: Clock;
  logger: Logger;
}

function parsed(raw: unknown): Alert | null {
  if (raw === null || raw === undefined) return null;
  const alert = parseAlert(raw);
  return alert.ok ? alert.value : null;
}

/**
 * Posts one notification, at most `attempts` times now (waiting the backoff between them).
 * Returns whether it was delivered by this call.
 */
async function deliver(
  deps: NotifyDeps & { notifications: AlertNotifications },
  scope: string,
  alert: Alert,
  event: AlertNotificationEvent,
  attempts: number,
  ignoreScheduleFirst: boolean,
): Promise<boolean> {
  const { deliveries, webhook } = deps.notifications;
  for (let tried = 0; tried < attempts; tried += 1) {
    const now = deps.clock.now();
    const claim = await deliveries.claim(scope, alert.id, event, now, {
      ignoreSchedule: tried > 0 || ignoreScheduleFirst,
    });
    if (!claim.take) return false;
    let outcome: { ok: true } | { ok: false; error: string };
    try {
      await webhook.post(alertWebhookBody(alert, scope, event));
      outcome = { ok: true };
    } catch (error) {
      outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    const at = deps.clock.now();
    const next = afterAttempt(claim.delivery, outcome, at);
    await deliveries.record(scope, alert.id, event, next);
    if (outcome.ok) {
      await deliveries.updateStatus({ lastAttemptAt: at, lastDeliveredAt: at });
      deps.logger.info('alert webhook posted', { scope, alertId: alert.id, event });
      return true;
    }
    await deliveries.updateStatus({
      lastAttemptAt: at,
      lastError: {
        at,
        message: outcome.error,
        scope,
        alertId: alert.id,
        event,
        attempts: next.attempts,
        gaveUp: next.state === 'abandoned',
      },
    });
    deps.logger.warn('alert webhook post failed', {
      scope,
      alertId: alert.id,
      event,
      attempts: next.attempts,
      error: outcome.error,
      ...(next.state === 'failed' ? { retryAt: next.nextAttemptAt } : { gaveUp: true }),
    });
    if (next.state !== 'failed' || tried + 1 >= attempts) return false;
    await deps.notifications.sleep(alertWebhookRetryDelayMs(next.attempts));
  }
  return false;
}

function active(deps: NotifyDeps): (NotifyDeps & { notifications: AlertNotifications }) | null {
  const notifications = deps.notifications;
  if (notifications === null || notifications === undefined || !notifications.webhook.configured())
    return null;
  return { ...deps, notifications };
}

/**
 * `alerts/{scope}/{alertId}` was written: posts what the change calls for (core's
 * notificationsDue). A resolution is posted only for an alert whose raising was posted (or
 * tried), so alerts from before the webhook was set stay quiet.
 */
export async function notifyAlertWritten(
  deps: NotifyDeps,
  scope: string,
  alertId: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  const on = active(deps);
  if (on === null) return;
  try {
    const alertAfter = parsed(after);
    if (alertAfter === null) return;
    const alert = { ...alertAfter, id: alertId };
    for (const event of notificationsDue(parsed(before), alert, on.notifications.levels)) {
      if (
        event === 'resolved' &&
        !(await on.notifications.deliveries.exists(scope, alertId, 'raised'))
      )
        continue;
      await deliver(on, scope, alert, event, ALERT_WEBHOOK_IMMEDIATE_ATTEMPTS, false);
    }
  } catch (error) {
    deps.logger.error('alert notification failed', { scope, alertId, error: String(error) });
  }
}

/**
 * The scheduled retries: every queued notification whose time has come is posted once more.
 * Returns how many were delivered.
 */
export async function retryAlertNotifications(deps: NotifyDeps): Promise<number> {
  const on = active(deps);
  if (on === null) return 0;
  let delivered = 0;
  try {
    const now = deps.clock.now();
    const due = (await on.notifications.deliveries.listQueued()).filter(
      (entry) => entry.nextAttemptAt <= now,
    );
    for (const entry of due) {
      const alert = parsed(await on.notifications.deliveries.readAlert(entry.scope, entry.alertId));
      if (alert === null) {
        // The alert is gone: nothing left to say about it.
        await on.notifications.deliveries.record(entry.scope, entry.alertId, entry.event, {
          state: 'abandoned',
          attempts: 0,
          leaseUntil: 0,
          nextAttemptAt: 0,
          lastError: 'the alert no longer exists',
          updatedAt: now,
        });
        continue;
      }
      if (await deliver(on, entry.scope, { ...alert, id: entry.alertId }, entry.event, 1, false))
        delivered += 1;
    }
  } catch (error) {
    deps.logger.error('alert notification retries failed', { error: String(error) });
  }
  return delivered;
}
