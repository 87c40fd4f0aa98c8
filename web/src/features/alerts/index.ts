/** Alerts at `alerts/{scope}/{alertId}`: live lists, acknowledgement, banner, toasts, tone. */
export type { ScopedAlert } from './api/alerts';
export { AlertCountBadge } from './components/AlertCountBadge';
export { AlertPanel } from './components/AlertPanel';
export { AlertToasts } from './components/AlertToasts';
export { CriticalAlertBanner } from './components/CriticalAlertBanner';
export { useAlerts, type AlertsView } from './hooks/useAlerts';
export { useCriticalTone } from './hooks/useCriticalTone';
export { useCriticalToneSetting } from './lib/alertTone';
export { AlertWebhookStatusLine } from './components/AlertWebhookStatusLine';
export { useAlertWebhookStatus } from './hooks/useAlertWebhookStatus';
