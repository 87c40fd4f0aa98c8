import { z } from 'zod';
import { UID_MAX_LENGTH, VM_ID_PATTERN } from './ids';
import { parseWith, type Parsed } from './parsed';
import { nullable, timestamp } from './rtdb-shapes';

export const ALERT_LEVELS = ['critical', 'warning', 'info'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

export const ALERT_CATEGORIES = ['vm', 'service', 'camera', 'obs', 'talent'] as const;
export type AlertCategory = (typeof ALERT_CATEGORIES)[number];

/** A competition id, or `pool` for pool-wide alerts. */
export type AlertScope = string;

/** `alerts/{scope}/{alertId}`. */
export interface Alert {
  id: string;
  level: AlertLevel;
  category: AlertCategory;
  title: string;
  message: string;
  timestamp: number;
  createdAt: number;
  vmId?: string;
  /** The show-controller's alert panel shows `metadata.vmId` ("VM: vm-001"); set with vmId. */
  metadata?: { vmId: string };
  competitionId?: string;
  /** Stable per condition, e.g. `vm-unreachable-vm-001`: at most one unresolved alert each. */
  sourceId: string;
  acknowledged: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  resolved: boolean;
  resolvedAt: number | null;
  autoResolve: boolean;
}

const alertSchema = z.object({
  id: z.string().min(1).max(128),
  level: z.enum(ALERT_LEVELS),
  category: z.enum(ALERT_CATEGORIES),
  title: z.string().min(1).max(200),
  message: z.string().max(2000).default(''),
  timestamp,
  createdAt: timestamp,
  vmId: z.string().regex(VM_ID_PATTERN).optional(),
  metadata: z.object({ vmId: z.string().regex(VM_ID_PATTERN) }).optional(),
  competitionId: z.string().max(128).optional(),
  sourceId: z.string().min(1).max(200),
  acknowledged: z.boolean().default(false),
  acknowledgedBy: nullable(z.string().max(UID_MAX_LENGTH)),
  acknowledgedAt: nullable(timestamp),
  resolved: z.boolean().default(false),
  resolvedAt: nullable(timestamp),
  autoResolve: z.boolean().default(true),
});

/** Validates one alert node. */
export function parseAlert(raw: unknown): Parsed<Alert> {
  return parseWith(alertSchema, raw);
}
