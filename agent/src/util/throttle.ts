// Leading-and-trailing throttle: the first call runs at once, later calls within the interval
// are folded into one trailing run. Used to stream command output without a write per line.

export interface TimerPort {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const systemTimers: TimerPort = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
};

export class Throttle {
  private lastRunAt = Number.NEGATIVE_INFINITY;
  private pending: unknown = undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly run: () => void,
    private readonly timers: TimerPort = systemTimers,
  ) {}

  request(): void {
    if (this.pending !== undefined) return;
    const wait = this.lastRunAt + this.intervalMs - this.timers.now();
    if (wait <= 0) {
      this.fire();
      return;
    }
    this.pending = this.timers.setTimeout(() => {
      this.pending = undefined;
      this.fire();
    }, wait);
  }

  /** Drops a pending trailing run (the final write replaces it). */
  cancel(): void {
    if (this.pending !== undefined) this.timers.clearTimeout(this.pending);
    this.pending = undefined;
  }

  private fire(): void {
    this.lastRunAt = this.timers.now();
    this.run();
  }
}
