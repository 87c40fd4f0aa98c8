import type { Database } from 'firebase-admin/database';
import {
  ALERT_NOTIFICATION_EVENTS,
  claimDelivery,
  paths,
  type AlertDelivery,
  type AlertNotificationEvent,
  type AlertWebhookStatus,
  type DeliveryClaim,
} from '@vmpool/core';
import { isRecord, toRtdbValue } from '../rtdb-values';
import { internalPaths } from './internal-paths';
import { guardedTransaction } from './transaction';
import { orderWrites } from './write-order';

/** One queued retry: a notification whose last post failed. */
export interface QueuedDelivery {
  scope: string;
  alertId: string;
  event: AlertNotificationEvent;
  nextAttemptAt: number;
}

/**
 * The alert webhook's bookkeeping: `vmPool/alertDeliveries/{scope}/{alertId}/{event}` (one
 * record per notification: the dedupe under at-least-once triggers), the retry queue
 * `vmPool/alertDeliveryQueue/{scope}/{alertId}/{event}` = nextAttemptAt, and the status admins
 * read at `vmPool/alertWebhook`.
 */
export interface AlertDeliveryStore {
  /** Takes the notification in a transaction (see core's claimDelivery). */
  claim(
    scope: string,
    alertId: string,
    event: AlertNotificationEvent,
    now: number,
    options?: { ignoreSchedule?: boolean },
  ): Promise<DeliveryClaim>;
  /** Stores the outcome of a post; a failed one is queued for retry, any other leaves the queue. */
  record(
    scope: string,
    alertId: string,
    event: AlertNotificationEvent,
    delivery: AlertDelivery,
  ): Promise<void>;
  /** Whether a notification was ever taken (in any state). */
  exists(scope: string, alertId: string, event: AlertNotificationEvent): Promise<boolean>;
  listQueued(): Promise<QueuedDelivery[]>;
  /** The alert itself, raw. */
  readAlert(scope: string, alertId: string): Promise<unknown>;
  updateStatus(patch: Partial<AlertWebhookStatus>): Promise<void>;
}

function toDelivery(raw: unknown): AlertDelivery | null {
  if (!isRecord(raw)) return null;
  const states = ['sending', 'failed', 'delivered', 'abandoned'];
  const number = (value: unknown) => (typeof value === 'number' ? value : 0);
  if (typeof raw.state !== 'string' || !states.includes(raw.state)) return null;
  return {
    state: raw.state as AlertDelivery['state'],
    attempts: number(raw.attempts),
    leaseUntil: number(raw.leaseUntil),
    nextAttemptAt: number(raw.nextAttemptAt),
    lastError: typeof raw.lastError === 'string' ? raw.lastError : null,
    updatedAt: number(raw.updatedAt),
  };
}

export function rtdbAlertDeliveryStore(raw: Database): AlertDeliveryStore {
  // Its writes never abort its own transactions in flight (see write-order.ts).
  const db = orderWrites(raw);
  return {
    async claim(scope, alertId, event, now, options = {}) {
      let claim: DeliveryClaim = { take: false, why: 'busy' };
      await guardedTransaction(
        db.ref(internalPaths.alertDelivery(scope, alertId, event)),
        (current) => {
          claim = claimDelivery(toDelivery(current), now, options);
          return claim.take ? toRtdbValue(claim.delivery) : undefined;
        },
      );
      return claim;
    },

    async record(scope, alertId, event, delivery) {
      await db.ref().update({
        [internalPaths.alertDelivery(scope, alertId, event)]: toRtdbValue(delivery),
        [internalPaths.alertDeliveryQueueEntry(scope, alertId, event)]:
          delivery.state === 'failed' ? delivery.nextAttemptAt : null,
      });
    },

    async exists(scope, alertId, event) {
      return (await db.ref(internalPaths.alertDelivery(scope, alertId, event)).get()).exists();
    },

    async listQueued() {
      const raw = (await db.ref(internalPaths.alertDeliveryQueue()).get()).val() as unknown;
      const queued: QueuedDelivery[] = [];
      for (const [scope, alerts] of Object.entries(isRecord(raw) ? raw : {})) {
        for (const [alertId, events] of Object.entries(isRecord(alerts) ? alerts : {})) {
          for (const [event, at] of Object.entries(isRecord(events) ? events : {})) {
            if (
              typeof at === 'number' &&
              (ALERT_NOTIFICATION_EVENTS as readonly string[]).includes(event)
            ) {
              queued.push({
                scope,
                alertId,
                event: event as AlertNotificationEvent,
                nextAttemptAt: at,
              });
            }
          }
        }
      }
      return queued.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
    },

    async readAlert(scope, alertId) {
      return (await db.ref(paths.alert(scope, alertId)).get()).val() as unknown;
    },

    async updateStatus(patch) {
      await db.ref(paths.alertWebhookStatus()).update(toRtdbValue(patch) as object);
    },
  };
}
