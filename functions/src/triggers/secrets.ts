import { defineSecret } from 'firebase-functions/params';

/**
 * The Discord or Slack incoming-webhook URL alerts are posted to (Secret Manager; never in the
 * database). `npx firebase functions:secrets:set VMPOOL_ALERT_WEBHOOK`; the value `none` turns
 * the notifications off. Only the functions that list it in `secrets` can read it.
 */
export const alertWebhookSecret = defineSecret('VMPOOL_ALERT_WEBHOOK');
