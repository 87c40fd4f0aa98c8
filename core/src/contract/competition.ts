import { z } from 'zod';
import { VM_ID_PATTERN } from './ids';
import { parseWith, type Parsed } from './parsed';
import { nullable, timestamp } from './rtdb-shapes';

/**
 * `competitions/{compId}/config`. The existing app owns every field except `vmId` and
 * `vmAddress` ("<publicIp>:3003"), which only the control plane writes, and the schedule
 * (`startsAt`, `endsAt`), which admins and the competition's producers set; other fields are
 * kept as they are.
 */
export interface CompetitionConfig {
  vmId: string | null;
  vmAddress: string | null;
  /** When the show starts (ms epoch); with `endsAt` it makes the competition scheduled. */
  startsAt?: number;
  /** When the show ends (ms epoch), after `startsAt`. */
  endsAt?: number;
  eventName?: string;
  gender?: string;
  meetDate?: string;
  venue?: string;
  [field: string]: unknown;
}

/** The schedule fields of a competition config, which admins and its producers may write. */
export const SCHEDULE_FIELDS = ['startsAt', 'endsAt'] as const;

const competitionConfigSchema = z
  .looseObject({
    vmId: nullable(z.string().regex(VM_ID_PATTERN, { error: 'must be a VM id such as vm-001' })),
    vmAddress: nullable(
      z
        .string()
        .max(300)
        .regex(/^[^\s/:@]+:\d{1,5}$/, { error: 'must be host:port without a scheme' }),
    ),
    startsAt: timestamp.optional(),
    endsAt: timestamp.optional(),
    eventName: z.string().optional(),
    gender: z.string().optional(),
    meetDate: z.string().optional(),
    venue: z.string().optional(),
  })
  .superRefine((config, context) => {
    if (
      config.startsAt !== undefined &&
      config.endsAt !== undefined &&
      config.endsAt <= config.startsAt
    ) {
      context.addIssue({
        code: 'custom',
        path: ['endsAt'],
        message: 'must be after startsAt',
        input: config.endsAt,
      });
    }
  });

/** Validates a competition config; only the fields vmpool relies on are checked. */
export function parseCompetitionConfig(raw: unknown): Parsed<CompetitionConfig> {
  return parseWith(competitionConfigSchema, raw);
}

/** A competition's show times, or null unless both `startsAt` and `endsAt` are set. */
export function showTimesOf(
  config: Pick<CompetitionConfig, 'startsAt' | 'endsAt'>,
): { startsAt: number; endsAt: number } | null {
  const { startsAt, endsAt } = config;
  if (startsAt === undefined || endsAt === undefined || endsAt <= startsAt) return null;
  return { startsAt, endsAt };
}
