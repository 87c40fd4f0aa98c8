import { z } from 'zod';
import { VM_ID_PATTERN } from './ids';
import { parseWith, type Parsed } from './parsed';
import { nullable } from './rtdb-shapes';

/**
 * `competitions/{compId}/config`. The existing app owns every field except `vmId` and
 * `vmAddress` ("<publicIp>:3003"), which only the control plane writes; other fields are kept
 * as they are.
 */
export interface CompetitionConfig {
  vmId: string | null;
  vmAddress: string | null;
  eventName?: string;
  gender?: string;
  meetDate?: string;
  venue?: string;
  [field: string]: unknown;
}

const competitionConfigSchema = z.looseObject({
  vmId: nullable(z.string().regex(VM_ID_PATTERN, { error: 'must be a VM id such as vm-001' })),
  vmAddress: nullable(
    z
      .string()
      .max(300)
      .regex(/^[^\s/:@]+:\d{1,5}$/, { error: 'must be host:port without a scheme' }),
  ),
  eventName: z.string().optional(),
  gender: z.string().optional(),
  meetDate: z.string().optional(),
  venue: z.string().optional(),
});

/** Validates a competition config; only the fields vmpool relies on are checked. */
export function parseCompetitionConfig(raw: unknown): Parsed<CompetitionConfig> {
  return parseWith(competitionConfigSchema, raw);
}
