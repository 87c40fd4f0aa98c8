import { z } from 'zod';
import { COMPETITION_ID_PATTERN, VM_ID_PATTERN } from './ids';
import { parseWith, type Parsed } from './parsed';
import { nullable, timestamp } from './rtdb-shapes';

/**
 * Saved show state (issue 12, PRD §10.1 "attempt to restore state"): while a VM is `in_use`
 * its agent exports OBS's current scene collection and profile to the recordings archive, and
 * records the latest export of each competition at `vmPool/stateExports/{compId}`. Before a
 * failover hands a spare to the competition, the spare's agent imports that export
 * (`import_state`).
 *
 * The show server (gymnastics-graphics `server/index.js`) keeps its show state in memory only
 * and reads its show plan from the competition's Firebase config, which the spare reads too:
 * there is nothing of it to export, so `showServer` is always false today.
 */

/** Key prefix of state exports in the recordings bucket: `state/{competitionId}/{digest}.json`. */
export const STATE_EXPORT_PREFIX = 'state';
/** The format of an export bundle (the JSON object stored at the key). */
export const STATE_EXPORT_FORMAT = 'vmpool-state/1';
/** sha-256 of the bundle's content, hex. */
export const STATE_DIGEST_PATTERN = /^[0-9a-f]{64}$/;
/** An OBS scene collection or profile name (OBS allows most characters; RTDB stores it). */
export const OBS_NAME_MAX_LENGTH = 256;
/** A bundle larger than this is not exported (a scene collection is tens of kB). */
export const STATE_EXPORT_MAX_BYTES = 4 * 1024 * 1024;

/** Agent config `--state-export-interval-seconds`: how often an in_use VM exports its state. */
export const STATE_EXPORT_INTERVAL_SECONDS = Object.freeze({ min: 10, max: 3600, default: 180 });

/** Why an export was written. */
export const STATE_EXPORT_TRIGGERS = ['period', 'change'] as const;
export type StateExportTrigger = (typeof STATE_EXPORT_TRIGGERS)[number];

/** `vmPool/stateExports/{compId}`: written by the agent of the VM that holds the competition. */
export interface StateExportRecord {
  competitionId: string;
  /** The VM whose agent exported it (its archive holds the bundle in local mode). */
  vmId: string;
  /** When the bundle was exported (server time). */
  at: number;
  /** Where: the bucket and `state/{competitionId}/{digest}.json`. */
  bucket: string;
  key: string;
  digest: string;
  bytes: number;
  /** What it contains. */
  obs: { sceneCollection: string; profile: string | null };
  showServer: boolean;
  trigger: StateExportTrigger;
}

const obsName = z.string().min(1).max(OBS_NAME_MAX_LENGTH);

const stateExportSchema = z.strictObject({
  competitionId: z.string().regex(COMPETITION_ID_PATTERN),
  vmId: z.string().regex(VM_ID_PATTERN),
  at: timestamp,
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
  key: z.string().min(1).max(400),
  digest: z.string().regex(STATE_DIGEST_PATTERN),
  bytes: z.number().int().min(1).max(STATE_EXPORT_MAX_BYTES),
  obs: z.strictObject({ sceneCollection: obsName, profile: nullable(obsName) }),
  showServer: z.boolean(),
  trigger: z.enum(STATE_EXPORT_TRIGGERS),
});

export function parseStateExport(raw: unknown): Parsed<StateExportRecord> {
  const parsed = parseWith(stateExportSchema, raw);
  if (!parsed.ok) return parsed;
  const expected = stateExportKey(parsed.value.competitionId, parsed.value.digest);
  if (parsed.value.key !== expected) {
    return { ok: false, errors: [`key: must be ${expected}`] };
  }
  return parsed;
}

/** The archive key of one export: content-addressed, so an unchanged export is the same key. */
export function stateExportKey(competitionId: string, digest: string): string {
  return `${STATE_EXPORT_PREFIX}/${competitionId}/${digest}.json`;
}

/** The bundle stored at the key. `files` are paths relative to OBS's config directory. */
export interface StateBundle {
  format: typeof STATE_EXPORT_FORMAT;
  obs: {
    sceneCollection: { name: string; file: string; content: string };
    profile: { name: string; dir: string; files: Record<string, string> } | null;
  };
  /** The show server's saved state; null: it persists nothing (see above). */
  showServer: null;
}

const relativeFile = z
  .string()
  .min(1)
  .max(300)
  .refine(
    (path) =>
      !path.startsWith('/') && !path.split('/').some((part) => part === '..' || part === ''),
    { error: 'must be a relative path without ..' },
  );

const bundleSchema = z.strictObject({
  format: z.literal(STATE_EXPORT_FORMAT),
  obs: z.strictObject({
    sceneCollection: z.strictObject({ name: obsName, file: relativeFile, content: z.string() }),
    profile: z
      .strictObject({ name: obsName, dir: relativeFile, files: z.record(relativeFile, z.string()) })
      .nullable(),
  }),
  showServer: z.null(),
});

/** Validates a bundle read back from the archive (a file path never leaves OBS's config dir). */
export function parseStateBundle(raw: unknown): Parsed<StateBundle> {
  return parseWith(bundleSchema as z.ZodType<StateBundle>, raw);
}
