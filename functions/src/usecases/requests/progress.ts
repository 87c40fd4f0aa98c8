import {
  REQUEST_DONE_STEP,
  REQUEST_STEPS,
  type RequestResult,
  type RequestStep,
} from '@vmpool/core';
import type { PoolStore } from '../../store/pool-store';
import type { Clock } from '@vmpool/core/ports';
import type { RequestError } from './request-error';

/** The step names live in core's contract (REQUEST_STEPS); STEP is their name here. */
export const STEP = REQUEST_STEPS;

export type Extra = Partial<Pick<RequestResult, 'vmId' | 'vmAddress' | 'estimatedReadyAt'>>;

/**
 * Writes a request's progress as named steps: every step before the current one is done,
 * the current one runs, progress is the share of finished steps.
 */
export class RequestProgress {
  private steps: string[];
  private current = 0;
  private extra: Extra = {};

  constructor(
    private readonly store: PoolStore,
    private readonly clock: Clock,
    readonly requestId: string,
    steps: readonly string[],
  ) {
    this.steps = [...steps];
  }

  /** Replaces the plan (e.g. a cold assign has more steps than a warm one). */
  plan(steps: readonly string[]): void {
    this.steps = [...steps];
  }

  async at(step: string, message: string, extra: Extra = {}): Promise<void> {
    const index = this.steps.indexOf(step);
    this.current = index >= 0 ? index : this.current;
    this.extra = { ...this.extra, ...extra };
    await this.store.writeResult(this.requestId, this.build('running', step, message));
  }

  result(state: RequestResult['state'], message: string, extra: Extra = {}): RequestResult {
    this.extra = { ...this.extra, ...extra };
    if (state === 'succeeded') this.current = this.steps.length;
    return this.build(state, this.steps[this.current] ?? REQUEST_DONE_STEP, message);
  }

  failure(error: RequestError): RequestResult {
    return {
      ...this.build('failed', this.steps[this.current] ?? REQUEST_DONE_STEP, error.message),
      error: { code: error.code, message: error.message },
    };
  }

  private build(state: RequestResult['state'], step: string, message: string): RequestResult {
    const now = this.clock.now();
    const steps: RequestStep[] = this.steps.map((name, index) => ({
      name,
      state:
        index < this.current
          ? 'done'
          : index === this.current
            ? state === 'failed'
              ? 'failed'
              : 'running'
            : 'pending',
      ...(index <= this.current ? { at: now } : {}),
    }));
    const finished = state === 'succeeded' ? this.steps.length : this.current;
    return {
      state,
      step: state === 'succeeded' ? REQUEST_DONE_STEP : step,
      progress: this.steps.length === 0 ? 1 : Math.min(1, finished / this.steps.length),
      message,
      steps,
      updatedAt: now,
      ...this.extra,
    };
  }
}

/** A finished result with every step done, for completions outside the request's handler. */
export function succeededResult(
  steps: readonly string[],
  message: string,
  now: number,
  extra: Extra = {},
): RequestResult {
  return {
    state: 'succeeded',
    step: REQUEST_DONE_STEP,
    progress: 1,
    message,
    steps: steps.map((name) => ({ name, state: 'done', at: now })),
    updatedAt: now,
    ...extra,
  };
}

export function failedResult(
  steps: readonly string[],
  failedStep: string,
  error: RequestError,
  now: number,
): RequestResult {
  const failedAt = Math.max(0, steps.indexOf(failedStep));
  return {
    state: 'failed',
    step: failedStep,
    progress: steps.length === 0 ? 1 : failedAt / steps.length,
    message: error.message,
    steps: steps.map((name, index) => ({
      name,
      state: index < failedAt ? 'done' : index === failedAt ? 'failed' : 'pending',
      ...(index <= failedAt ? { at: now } : {}),
    })),
    error: { code: error.code, message: error.message },
    updatedAt: now,
  };
}
