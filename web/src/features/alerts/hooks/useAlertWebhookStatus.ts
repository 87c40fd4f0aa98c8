import type { AlertWebhookStatus } from '@vmpool/core';
import { useEffect, useState } from 'react';
import { useSession } from '../../../lib/session';
import { watchAlertWebhookStatus } from '../api/alertWebhook';

/** The alert webhook's last delivery and last error, live (admins only). */
export function useAlertWebhookStatus(): {
  status: AlertWebhookStatus | null;
  error: string | null;
} {
  const { db } = useSession();
  const [status, setStatus] = useState<AlertWebhookStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(
    () =>
      watchAlertWebhookStatus(
        db,
        (value) => {
          setStatus(value);
          setError(null);
        },
        setError,
      ),
    [db],
  );
  return { status, error };
}
