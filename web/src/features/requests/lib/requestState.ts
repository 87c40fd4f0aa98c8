/** Predicates over a request's result; null means queued (no result written yet). */
import { isFinalResult, type RequestResult } from '@vmpool/core';

export function hasSucceeded(result: RequestResult | null): boolean {
  return result !== null && result.state === 'succeeded';
}

export function hasFailed(result: RequestResult | null): boolean {
  return result !== null && result.state === 'failed';
}

/** Final: succeeded or failed; nothing will change any more (core's isFinalResult). */
export function isFinished(result: RequestResult | null): boolean {
  return isFinalResult(result);
}
