// Client of the `agentToken` function: trades the signed identity document for a Firebase
// custom token scoped to this VM.
import { isValidVmId } from '@vmpool/core';

export interface TokenRequest {
  document: string;
  signature: string;
  nonce: string;
}

export interface TokenGrant {
  token: string;
  vmId: string;
  expiresAt: number;
  /** The server's clock at response time (HTTP Date header), to plan refreshes despite skew. */
  serverNow: number | null;
}

/** A refusal or failure of the exchange, classified so the caller can choose its backoff. */
export class TokenExchangeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number | null,
    /** false for refusals (4xx other than 408/429): retrying soon will not help. */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'TokenExchangeError';
  }
}

export async function exchangeIdentity(
  functionsBaseUrl: string,
  request: TokenRequest,
  timeoutMs = 15_000,
): Promise<TokenGrant> {
  let response: Response;
  try {
    response = await fetch(`${functionsBaseUrl}/agentToken`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new TokenExchangeError(
      'NETWORK',
      `agentToken unreachable: ${(error as Error).message}`,
      null,
      true,
    );
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const code = typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`;
    const message =
      typeof error?.message === 'string'
        ? error.message
        : text.slice(0, 200) || response.statusText;
    const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
    throw new TokenExchangeError(
      code,
      `agentToken refused (${response.status} ${code}): ${message}`,
      response.status,
      retryable,
    );
  }
  return parseGrant(body, response.headers.get('date'));
}

export function parseGrant(body: unknown, dateHeader: string | null): TokenGrant {
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof record.token !== 'string' || record.token === '') problems.push('token');
  if (!isValidVmId(record.vmId)) problems.push('vmId');
  if (typeof record.expiresAt !== 'number' || !Number.isFinite(record.expiresAt))
    problems.push('expiresAt');
  if (problems.length > 0) {
    throw new TokenExchangeError(
      'BAD_RESPONSE',
      `agentToken answered without a valid ${problems.join(', ')}`,
      200,
      true,
    );
  }
  const serverNow = dateHeader ? Date.parse(dateHeader) : Number.NaN;
  return {
    token: record.token as string,
    vmId: record.vmId as string,
    expiresAt: record.expiresAt as number,
    serverNow: Number.isFinite(serverNow) ? serverNow : null,
  };
}

/**
 * When to exchange again: a margin before expiry, measured on the server's clock when known,
 * so that a VM whose clock is off by minutes still refreshes in time.
 */
export function refreshDelayMs(grant: TokenGrant, localNow: number, receivedAt: number): number {
  const serverNowAtReceipt = grant.serverNow ?? receivedAt;
  const lifetime = grant.expiresAt - serverNowAtReceipt;
  const margin = Math.min(5 * 60_000, Math.max(0, lifetime) * 0.2);
  const elapsed = localNow - receivedAt;
  return Math.max(10_000, Math.round(lifetime - margin - elapsed));
}
