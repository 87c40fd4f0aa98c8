import { onValueWritten } from 'firebase-functions/v2/database';
import { notifyAlertWritten } from '../usecases/notifications/alert-notifications';
import { runtimeDeps } from './runtime';
import { alertWebhookSecret } from './secrets';

/** `alerts/{scope}/{alertId}` written: the alert webhook's raised / resolved posts. */
export const onAlertWritten = onValueWritten(
  { ref: 'alerts/{scope}/{alertId}', timeoutSeconds: 120, secrets: [alertWebhookSecret] },
  async (event) => {
    await notifyAlertWritten(
      runtimeDeps(),
      event.params.scope,
      event.params.alertId,
      event.data.before.val() as unknown,
      event.data.after.val() as unknown,
    );
  },
);
