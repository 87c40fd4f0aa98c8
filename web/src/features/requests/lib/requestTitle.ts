import type { RequestResult } from '@vmpool/core';
import { hasFailed, isFinished } from './requestState';

/**
 * The title of a request someone else made, which we know only by its result: while it runs
 * it is "in progress"; once final it is named by its outcome.
 */
export function foreignRequestTitle(
  result: RequestResult,
  /** Name (or id) of the competition now holding the VM, if any. */
  assignedTo: string | null,
): string {
  if (!isFinished(result)) return 'Request in progress';
  if (hasFailed(result)) {
    return `Failed: ${result.error?.message ?? (result.message || 'no reason given')}`;
  }
  // Only an assignment hands out an address.
  if (result.vmAddress !== undefined && assignedTo !== null) return `Assigned to ${assignedTo}`;
  return result.message !== '' ? `Done: ${result.message}` : 'Request done';
}
