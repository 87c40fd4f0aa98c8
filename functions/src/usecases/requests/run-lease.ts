import { isFinalResult, requestLeaseTiming, type RequestLeaseTiming } from '@vmpool/core';
import type { Logger } from '@vmpool/core/ports';
import type { PoolStore } from '../../store/pool-store';
import type { Repeat, UseCaseDeps } from '../deps';

/** A real interval that never keeps the process alive on its own. */
export const realRepeat: Repeat = (ms, tick) => {
  const timer = setInterval(() => void tick(), ms);
  timer.unref();
  return () => clearInterval(timer);
};

/** Thrown at a run's next result write once another run took its request. */
export class RunLeaseLost extends Error {
  constructor(readonly requestId: string) {
    super(`request ${requestId}: this run lost its lease to another run; it stops here`);
    this.name = 'RunLeaseLost';
  }
}

/**
 * Issue 11: the run lease of one run of a request, renewed while the run works (every
 * `renewEveryMs`, one small transaction on `vmPool/openRequests/{requestId}`), so that a live
 * run keeps its request however long it works and the lease itself can be short: when the host
 * dies the renewals stop and reconcile drives the request again within a lease and an interval.
 *
 * A renewal only extends a lease the run still holds. One that finds another run holding the
 * request, or the request finished by another run, marks this run `lost`: from then on the run's result writes throw RunLeaseLost (see
 * `guard`), so it stops at its next step and never writes an outcome over the other run's.
 * Every effect a run has besides its result is a guarded transaction that a second run continues
 * rather than repeats, and a final result is never overwritten, so the window before a run
 * notices (one renewal period) never applies anything twice.
 */
export class RunLease {
  readonly timing: RequestLeaseTiming;
  private state: 'held' | 'lost' | 'ended' = 'held';
  private renewing: Promise<void> | null = null;
  private stopTimer: (() => void) | null = null;
  /** This run is writing (or wrote) the request's final result. */
  private finishing = false;

  constructor(
    private readonly deps: Pick<UseCaseDeps, 'store' | 'clock' | 'settings' | 'repeat'>,
    private readonly logger: Logger,
    readonly requestId: string,
    readonly runId: string,
  ) {
    this.timing = requestLeaseTiming(deps.settings);
  }

  /** Until when the lease this run last took or renewed holds. */
  private heldUntil = 0;

  /** Until when a lease taken or renewed now holds (the lease taken at the start is this). */
  until(): number {
    const until = this.deps.clock.now() + this.timing.leaseMs;
    if (this.heldUntil === 0) this.heldUntil = until;
    return until;
  }

  /** Whether another run took the request from this one. */
  get lost(): boolean {
    return this.state === 'lost';
  }

  /** Starts renewing (after the lease was taken). */
  start(): void {
    const repeat = this.deps.repeat ?? realRepeat;
    this.stopTimer = repeat(this.timing.renewEveryMs, () => this.renew());
  }

  /** One renewal now (the timer's tick); skipped while one is under way or once not held. */
  renew(): Promise<void> {
    if (this.renewing !== null) return this.renewing;
    if (this.state !== 'held') return Promise.resolve();
    // Cleared after it settles (never before it is recorded, even if the store throws at once).
    const renewing = this.renewOnce().finally(() => {
      if (this.renewing === renewing) this.renewing = null;
    });
    this.renewing = renewing;
    return renewing;
  }

  private async renewOnce(): Promise<void> {
    try {
      const until = this.until();
      const outcome = await this.deps.store.renewRequestLease(this.requestId, this.runId, until);
      if (outcome === 'renewed') {
        this.heldUntil = Math.max(this.heldUntil, until);
        return;
      }
      // This run's own final result removes the entry: not a loss.
      if (this.state !== 'held' || this.finishing) return;
      this.state = outcome;
      this.stopTimer?.();
      if (outcome === 'lost') {
        this.logger.warn('request run lost its lease; another run drives the request', {
          runId: this.runId,
        });
      }
    } catch (error) {
      // A failed write is not a lost lease: the next tick tries again. But once no renewal got
      // through for a whole lease, reconcile may drive the request again: the run is cut off
      // (e.g. its host died under it) and stops as one that lost its lease.
      if (this.state !== 'held' || this.finishing) return;
      if (this.deps.clock.now() <= this.heldUntil) {
        this.logger.warn('request lease renewal failed', { error: String(error) });
        return;
      }
      this.state = 'lost';
      this.stopTimer?.();
      this.logger.warn('request run cut off past its lease; reconcile drives the request', {
        runId: this.runId,
        error: String(error),
      });
    }
  }

  /** Stops renewing and waits for a renewal under way (before the lease is given back). */
  async stop(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = null;
    if (this.state === 'held') this.state = 'ended';
    await this.renewing;
  }

  /**
   * The store as the run uses it: its result writes for this request throw RunLeaseLost once
   * the lease is lost, so that the run stops at its next step.
   */
  guard(store: PoolStore): PoolStore {
    return new Proxy(store, {
      get: (target, key, receiver) => {
        if (key !== 'writeResult') return Reflect.get(target, key, receiver) as unknown;
        const writeResult: PoolStore['writeResult'] = async (requestId, result) => {
          if (requestId !== this.requestId) return target.writeResult(requestId, result);
          if (this.lost) throw new RunLeaseLost(requestId);
          if (isFinalResult(result)) this.finishing = true;
          await target.writeResult(requestId, result);
        };
        return writeResult;
      },
    });
  }
}
