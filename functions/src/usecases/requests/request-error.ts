import type { RequestErrorCode } from '@vmpool/core';
import { isComputeError } from '@vmpool/core/ports';

/** A request that cannot go on, with the code and message its requester sees in `result`. */
export class RequestError extends Error {
  readonly code: RequestErrorCode;

  constructor(code: RequestErrorCode, message: string) {
    super(message);
    this.name = 'RequestError';
    this.code = code;
  }
}

/** Maps any failure onto a coded error for `result.error`; unknown errors stay INTERNAL. */
export function toRequestError(error: unknown): RequestError {
  if (error instanceof RequestError) return error;
  if (isComputeError(error)) {
    const hint = error.retryable ? ' (temporary; try again shortly)' : '';
    return new RequestError('EC2_ERROR', `EC2 refused: ${error.code}: ${error.message}${hint}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new RequestError('INTERNAL', `Internal error: ${message}`);
}
