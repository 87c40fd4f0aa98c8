import { alertWebhookStatusCases } from './alert-webhook.cases';
import { defineMatrix } from './matrix';

defineMatrix('vmPool/alertWebhook (control plane writes, admins read)', alertWebhookStatusCases);
