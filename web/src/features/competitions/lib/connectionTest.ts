/**
 * The browser-side connection test: the show-controller talks to `http://<vmAddress>` directly,
 * so the test fetches the show server's `/api/status` from here, with a timeout.
 */

export type ConnectionOutcome =
  | {
      ok: true;
      latencyMs: number;
      obsConnected: boolean | null;
      obsIsStreaming: boolean | null;
      connectedClients: number | null;
    }
  | { ok: false; latencyMs: number; reason: string };

export interface ConnectionTestDeps {
  fetch: typeof fetch;
  now(): number;
}

const defaultDeps: ConnectionTestDeps = {
  fetch: (input, init) => fetch(input, init),
  now: () => performance.now(),
};

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

export async function testConnection(
  vmAddress: string,
  timeoutMs = 5000,
  deps: ConnectionTestDeps = defaultDeps,
): Promise<ConnectionOutcome> {
  const started = deps.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const elapsed = () => Math.round(deps.now() - started);
  try {
    const response = await deps.fetch(`http://${vmAddress}/api/status`, {
      signal: controller.signal,
      cache: 'no-store',
    });
    if (!response.ok) {
      return {
        ok: false,
        latencyMs: elapsed(),
        reason: `show server answered HTTP ${response.status}`,
      };
    }
    const body = asRecord(await response.json());
    if (body === null) {
      return { ok: false, latencyMs: elapsed(), reason: 'show server sent no status object' };
    }
    // connectedClients is a list in the real show server; tolerate a count too.
    const clients = body.connectedClients;
    return {
      ok: true,
      latencyMs: elapsed(),
      obsConnected: typeof body.obsConnected === 'boolean' ? body.obsConnected : null,
      obsIsStreaming: typeof body.obsIsStreaming === 'boolean' ? body.obsIsStreaming : null,
      connectedClients: Array.isArray(clients)
        ? clients.length
        : typeof clients === 'number'
          ? clients
          : null,
    };
  } catch (error) {
    // Browsers hide why a fetch failed: refused, unroutable, blocked by CORS or mixed content.
    const reason = controller.signal.aborted
      ? `no answer within ${Math.round(timeoutMs / 1000)} s`
      : `cannot reach ${vmAddress}: refused, unreachable, or blocked by the browser (${error instanceof Error ? error.message : String(error)})`;
    return { ok: false, latencyMs: elapsed(), reason };
  } finally {
    clearTimeout(timer);
  }
}
