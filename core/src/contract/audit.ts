import { z } from 'zod';
import { parseWith, type Parsed } from './parsed';
import { timestamp } from './rtdb-shapes';

export const AUDIT_OUTCOMES = ['succeeded', 'failed', 'rejected'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export interface AuditTarget {
  vmId?: string;
  competitionId?: string;
  requestId?: string;
  commandId?: string;
}

/** `audit/{auditId}`: who did what, when, and how it ended. Written by the control plane. */
export interface AuditEntry {
  at: number;
  /** A uid, or `system` / `agent:{vmId}` for automatic actions. */
  actor: string;
  action: string;
  target: AuditTarget;
  outcome: AuditOutcome;
  detail?: string;
}

const auditEntrySchema = z.object({
  at: timestamp,
  actor: z.string().min(1).max(200),
  action: z.string().min(1).max(100),
  target: z.preprocess(
    (raw) => raw ?? {},
    z.object({
      vmId: z.string().max(128).optional(),
      competitionId: z.string().max(128).optional(),
      requestId: z.string().max(128).optional(),
      commandId: z.string().max(128).optional(),
    }),
  ),
  outcome: z.enum(AUDIT_OUTCOMES),
  detail: z.string().max(2000).optional(),
});

export function parseAuditEntry(raw: unknown): Parsed<AuditEntry> {
  return parseWith(auditEntrySchema, raw);
}
