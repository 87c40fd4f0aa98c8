/** `vmPool/alertWebhook`: how the alert webhook is doing (admins read; the URL is never stored). */
import { parseAlertWebhookStatus, paths, type AlertWebhookStatus } from '@vmpool/core';
import type { Database } from 'firebase/database';
import { watchValue, type Unsubscribe } from '../../../lib/rtdb';

export function watchAlertWebhookStatus(
  db: Database,
  onData: (status: AlertWebhookStatus | null) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return watchValue(
    db,
    paths.alertWebhookStatus(),
    (raw) => {
      if (raw === null) return onData(null);
      const parsed = parseAlertWebhookStatus(raw);
      if (parsed.ok) onData(parsed.value);
      else onError(`The alert webhook status is unreadable: ${parsed.errors.join('; ')}`);
    },
    onError,
  );
}
