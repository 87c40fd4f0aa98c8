// Keeps the agent signed in: exchange the identity document for a custom token, sign in,
// and exchange again before expiry. Failures are retried with backoff and logged plainly;
// a refresh that fails leaves the current session in place until it really expires.
import type { Logger } from '@vmpool/core/ports';
import { backoffDelay, type BackoffPolicy } from '../util/backoff';
import { refreshDelayMs, TokenExchangeError, type TokenGrant } from './token-client';

export interface SessionDeps {
  exchange(): Promise<TokenGrant>;
  signIn(token: string): Promise<void>;
  log: Logger;
  now(): number;
  random(): number;
  /** Retryable failures (network, 5xx). */
  retryPolicy?: BackoffPolicy;
  /** Refusals (4xx): the instance may not be tagged into the pool yet; try again, slowly. */
  refusalPolicy?: BackoffPolicy;
}

const RETRY: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, factor: 2 };
const REFUSAL: BackoffPolicy = { initialMs: 15_000, maxMs: 300_000, factor: 2 };

export class AgentSession {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private current: TokenGrant | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly deps: SessionDeps) {}

  get vmId(): string | undefined {
    return this.current?.vmId;
  }

  /** Resolves once signed in (retrying as long as it takes), then keeps refreshing. */
  async start(): Promise<TokenGrant> {
    const grant = await this.acquire('sign-in');
    this.scheduleRefresh(grant, this.deps.now());
    return grant;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
  }

  private async acquire(purpose: 'sign-in' | 'refresh'): Promise<TokenGrant> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw new Error('agent session stopped');
      try {
        const grant = await this.deps.exchange();
        await this.deps.signIn(grant.token);
        if (this.current && this.current.vmId !== grant.vmId) {
          this.deps.log.error('token exchange named a different VM; keeping the first', {
            was: this.current.vmId,
            now: grant.vmId,
          });
        }
        this.current = grant;
        this.deps.log.info(`${purpose} succeeded`, {
          vmId: grant.vmId,
          expiresAt: new Date(grant.expiresAt).toISOString(),
        });
        return grant;
      } catch (error) {
        const refused = error instanceof TokenExchangeError && !error.retryable;
        const delay = backoffDelay(
          attempt,
          refused ? (this.deps.refusalPolicy ?? REFUSAL) : (this.deps.retryPolicy ?? RETRY),
          this.deps.random,
        );
        this.deps.log.warn(
          `${purpose} failed (attempt ${attempt + 1}); retrying in ${Math.round(delay / 1000)} s`,
          {
            error: (error as Error).message,
            ...(error instanceof TokenExchangeError
              ? { code: error.code, httpStatus: error.httpStatus }
              : {}),
          },
        );
        await this.sleep(delay);
      }
    }
  }

  private scheduleRefresh(grant: TokenGrant, receivedAt: number): void {
    if (this.stopped) return;
    const delay = refreshDelayMs(grant, this.deps.now(), receivedAt);
    this.timer = setTimeout(() => {
      void this.acquire('refresh')
        .then((next) => this.scheduleRefresh(next, this.deps.now()))
        .catch((error: unknown) => {
          if (!this.stopped) this.deps.log.error('token refresh loop ended', { error });
        });
    }, delay);
    this.timer.unref();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timer = setTimeout(resolve, ms);
      this.wake = resolve;
    });
  }
}
