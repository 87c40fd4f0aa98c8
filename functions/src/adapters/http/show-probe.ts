import type { ShowServerProbe } from '@vmpool/core/ports';

export interface HttpShowProbeOptions {
  /** Per attempt, in ms. */
  timeoutMs?: number;
  /** Attempts in all (a refused or timed-out attempt is tried again). */
  attempts?: number;
  /** Pause between attempts, in ms. */
  retryDelayMs?: number;
}

export const HTTP_SHOW_PROBE_DEFAULTS = { timeoutMs: 2000, attempts: 3, retryDelayMs: 500 };

/**
 * `GET http://{vmAddress}/api/status` (the show server's only status route; there is no
 * /health). Reachable at the first 2xx answer; unreachable when every attempt failed.
 */
export function createHttpShowProbe(options: HttpShowProbeOptions = {}): ShowServerProbe {
  const { timeoutMs, attempts, retryDelayMs } = { ...HTTP_SHOW_PROBE_DEFAULTS, ...options };
  return {
    async reachable(vmAddress: string): Promise<boolean> {
      for (let attempt = 1; attempt <= attempts; attempt += 1) {
        try {
          const response = await fetch(`http://${vmAddress}/api/status`, {
            signal: AbortSignal.timeout(timeoutMs),
          });
          await response.body?.cancel();
          if (response.ok) return true;
        } catch {
          // refused, reset or timed out: try again
        }
        if (attempt < attempts) await new Promise((done) => setTimeout(done, retryDelayMs));
      }
      return false;
    },
  };
}
