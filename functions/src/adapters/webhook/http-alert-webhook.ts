import type { AlertWebhookPort } from '../../usecases/notifications/alert-notifications';

/**
 * The webhook URL's problem, or null when it may be used. Production wants https; plain http
 * only to a loopback receiver (the local stack and its tests). The URL itself (it carries the
 * webhook's token) is never part of the message.
 */
export function alertWebhookUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && loopback)) return null;
  return 'must be an https:// URL (http:// only to 127.0.0.1)';
}

/** Masks a webhook URL for logs and errors: scheme and host, never the path (its token). */
export function maskWebhookUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/…`;
  } catch {
    return '(not a URL)';
  }
}

/**
 * Posts JSON to a Discord or Slack incoming webhook with fetch. `url()` is read at each post, so
 * a Cloud Functions secret is resolved only inside the functions that declare it; '' or `none`
 * means no webhook is configured.
 */
export function createHttpAlertWebhook(options: {
  url: () => string;
  timeoutMs?: number;
}): AlertWebhookPort {
  const current = () => {
    const url = options.url().trim();
    return url === '' || url === 'none' ? null : url;
  };
  return {
    configured: () => current() !== null,
    async post(body) {
      const url = current();
      if (url === null) throw new Error('no alert webhook is configured');
      const problem = alertWebhookUrlProblem(url);
      if (problem !== null) throw new Error(`VMPOOL_ALERT_WEBHOOK ${problem}`);
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          redirect: 'error',
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        throw new Error(`${maskWebhookUrl(url)} did not answer: ${cause ?? (error as Error).name}`);
      }
      if (!response.ok) {
        const text = (await response.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 200);
        throw new Error(
          `${maskWebhookUrl(url)} answered HTTP ${response.status}${text === '' ? '' : `: ${text}`}`,
        );
      }
      await response.body?.cancel().catch(() => undefined);
    },
  };
}
