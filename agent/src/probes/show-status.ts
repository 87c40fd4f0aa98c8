// Probes the show server's GET /api/status (BRIEF §3). A down or odd server is a finding,
// never an exception: the agent keeps going and reports it.
import { httpGet } from './http-get';

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
  const result = await httpGet(`${baseUrl}/api/status`, timeoutMs);
  if (!result.ok) return unreachable(result.error);
  const latencyMs = Math.max(0, now() - started);
  if (result.status < 200 || result.status > 299)
    return { ...unreachable(`/api/status answered HTTP ${result.status}`), latencyMs };
  return readShowStatus(parseJson(result.text), latencyMs);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
