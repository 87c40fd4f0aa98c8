/**
 * Which web page a request comes from. Browsers say so in `Origin` (always on a WebSocket
 * upgrade, and on fetch/XHR writes), otherwise in `Referer` and `Sec-Fetch-Site` (script tags,
 * such as the long-poll transport's). Page scripts cannot set or remove `Origin` or the
 * `Sec-Fetch-*` headers; other clients (the Node SDKs, curl) send none of them.
 *
 * The local server accepts no signed tokens, so any page could present the owner token or a
 * forged unsigned token: only pages of the allowed origins (the local web app) may present
 * credentials. Other pages may still connect, unauthenticated, as on production.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ClientOrigin } from './session';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `scheme://host[:port]` of a URL or origin, lowercased; null when it is not one. */
export function normalizeOrigin(text: string): string | null {
  try {
    const url = new URL(text);
    return url.origin === 'null' ? null : url.origin.toLowerCase();
  } catch {
    return null;
  }
}

/** Normalizes the allowed origins; throws on one that is not an origin. */
export function parseAllowedOrigins(origins: readonly string[]): ReadonlySet<string> {
  const out = new Set<string>();
  for (const text of origins) {
    const origin = normalizeOrigin(text);
    if (origin === null) throw new Error(`not a web origin: ${JSON.stringify(text)}`);
    out.add(origin);
  }
  return out;
}

/** Classifies a request (a WebSocket upgrade, a long poll, a REST call). */
export function clientOrigin(
  headers: IncomingHttpHeaders,
  allowed: ReadonlySet<string>,
): ClientOrigin {
  const origin = header(headers, 'origin');
  if (origin !== undefined) {
    const normalized = normalizeOrigin(origin);
    return {
      origin: normalized ?? origin.slice(0, 200),
      mayAuthenticate: normalized !== null && allowed.has(normalized),
    };
  }
  const referer = header(headers, 'referer');
  const fromReferer = referer === undefined ? null : normalizeOrigin(referer);
  if (fromReferer !== null)
    return { origin: fromReferer, mayAuthenticate: allowed.has(fromReferer) };
  const site = header(headers, 'sec-fetch-site');
  // `none`: the user opened the URL themselves; `same-origin`: one of this server's own pages.
  if (site !== undefined && site !== 'none' && site !== 'same-origin') {
    return { origin: `a ${site} page that hid its address`, mayAuthenticate: false };
  }
  return { origin: null, mayAuthenticate: true };
}
