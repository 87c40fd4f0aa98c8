// Probes the show server's GET /api/status (BRIEF §3). A down or odd server is a finding,
// never an exception: the agent keeps going and reports it.

export interface ShowProbe {
  reachable: boolean;
  latencyMs: number | null;
  obsConnected: boolean;
  obsIsStreaming: boolean;
  obsIsRecording: boolean;
  obsCurrentScene: string | null;
  connectedClients: number;
  error: string | null;
}

export function unreachable(error: string): ShowProbe {
  return {
    reachable: false,
    latencyMs: null,
    obsConnected: false,
    obsIsStreaming: false,
    obsIsRecording: false,
    obsCurrentScene: null,
    connectedClients: 0,
    error,
  };
}

/** Reads the fields the agent reports; anything missing or mistyped counts as false/none. */
export function readShowStatus(body: unknown, latencyMs: number): ShowProbe {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      ...unreachable('/api/status did not return a JSON object'),
      reachable: true,
      latencyMs,
    };
  }
  const status = body as Record<string, unknown>;
  const scene = status.obsCurrentScene;
  const clients = status.connectedClients;
  return {
    reachable: true,
    latencyMs,
    obsConnected: status.obsConnected === true,
    obsIsStreaming: status.obsIsStreaming === true,
    obsIsRecording: status.obsIsRecording === true,
    obsCurrentScene: typeof scene === 'string' && scene !== '' ? scene.slice(0, 256) : null,
    connectedClients: Array.isArray(clients)
      ? clients.length
      : typeof clients === 'number'
        ? clients
        : 0,
    error: null,
  };
}

export async function probeShowStatus(
  baseUrl: string,
  now: () => number,
  timeoutMs = 3_000,
): Promise<ShowProbe> {
  const started = now();
  try {
    const response = await fetch(`${baseUrl}/api/status`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    const latencyMs = Math.max(0, now() - started);
    if (!response.ok) {
      await response.body?.cancel();
      return { ...unreachable(`/api/status answered HTTP ${response.status}`), latencyMs };
    }
    return readShowStatus(await response.json().catch(() => undefined), latencyMs);
  } catch (error) {
    return unreachable(networkErrorCode(error));
  }
}

/** fetch wraps the socket error (ECONNREFUSED, …), sometimes inside an AggregateError. */
function networkErrorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; errors?: Array<{ code?: unknown }> } }).cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  if (typeof code === 'string') return code;
  if (cause instanceof Error) return cause.message;
  return (error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message;
}
