// The alert webhook's status (`vmPool/alertWebhook`): the control plane writes it, admins read
// its last delivery and last error; nobody else sees it (the URL itself is never stored).
import { NOW } from './fixture';
import { forRoles, type Role, type RuleCase } from './matrix';

const NOT_ADMIN: readonly Role[] = ['anonymous', 'anonymousSignIn', 'noClaim', 'producer', 'agent'];
const EVERYONE: readonly Role[] = [...NOT_ADMIN, 'admin'];
const status = { lastAttemptAt: NOW, lastDeliveredAt: NOW, lastError: null };

export const alertWebhookStatusCases: RuleCase[] = [
  {
    who: 'admin',
    op: 'read',
    path: 'vmPool/alertWebhook',
    expect: 'allow',
    why: 'admins see whether alerts reach the webhook',
  },
  ...forRoles(NOT_ADMIN, {
    op: 'read',
    path: 'vmPool/alertWebhook',
    expect: 'deny',
    why: 'the webhook status is for admins',
  }),
  ...forRoles(EVERYONE, {
    op: 'write',
    path: 'vmPool/alertWebhook',
    data: status,
    expect: 'deny',
    deniedBy: 'permission',
    why: 'only the control plane writes the webhook status',
  }),
  ...forRoles(EVERYONE, {
    op: 'write',
    path: 'vmPool/alertWebhook/lastError',
    data: null,
    expect: 'deny',
    deniedBy: 'permission',
    why: 'nobody hides a delivery error',
  }),
];
