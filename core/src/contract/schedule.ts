import { z } from 'zod';
import { PUSH_ID_PATTERN } from './ids';
import { parseWith, type Parsed } from './parsed';
import { nullable, timestamp } from './rtdb-shapes';

/** How many assign requests the schedule makes for one show before it gives up. */
export const MAX_SCHEDULE_ATTEMPTS = 3;

/**
 * `vmPool/schedule/{compId}` (control plane only): what the schedule has done about the show
 * starting at `startsAt`, so that it acts once per show. `requestId` is the schedule's assign
 * request (attempt `attempt`), or null when the competition already held a VM (assigned by
 * hand) when the schedule's assign fell due: then the schedule leaves the show alone, also
 * after its producer releases the VM. A mark for another `startsAt` (the show moved) is void.
 */
export interface ScheduleMark {
  startsAt: number;
  requestId: string | null;
  attempt: number;
  at: number;
}

const scheduleMarkSchema = z.object({
  startsAt: timestamp,
  requestId: nullable(z.string().regex(PUSH_ID_PATTERN, { error: 'must be a request id' })),
  attempt: z.number().int().min(0).max(MAX_SCHEDULE_ATTEMPTS),
  at: timestamp,
});

/** Validates a schedule mark. */
export function parseScheduleMark(raw: unknown): Parsed<ScheduleMark> {
  return parseWith<ScheduleMark>(scheduleMarkSchema, raw);
}
