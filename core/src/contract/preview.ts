import { z } from 'zod';
import { UID_MAX_LENGTH } from './ids';
import { parseWith, type Parsed } from './parsed';
import { nullable, timestamp } from './rtdb-shapes';

/**
 * Live preview (docs/contract.md, "Live preview"): while anyone watches a VM, its agent
 * publishes a small JPEG of OBS's program output to `vmPool/previews/{vmId}`.
 */

/** How often the agent publishes a preview while someone watches. */
export const PREVIEW_INTERVAL_MS = 5_000;
/** Neither side of a preview is larger than this (pixels). */
export const PREVIEW_MAX_SIDE = 320;
/** A preview's JPEG is at most this many bytes (before base64). */
export const PREVIEW_MAX_BYTES = 30_000;
/** `image` is a data URL with this prefix, followed by the base64 of the JPEG. */
export const PREVIEW_IMAGE_PREFIX = 'data:image/jpeg;base64,';
/** The longest `image` string: the prefix and the base64 of PREVIEW_MAX_BYTES bytes. */
export const PREVIEW_IMAGE_MAX_LENGTH =
  PREVIEW_IMAGE_PREFIX.length + Math.ceil(PREVIEW_MAX_BYTES / 3) * 4;

/**
 * A watcher (`vmPool/vms/{vmId}/watchers/{uid}`) is the server time its web client last said
 * it is looking. The web app writes it when a VM card or VM setup page opens, re-writes it
 * every WATCHER_REFRESH_MS while open, and removes it when closed and by onDisconnect. An
 * entry older than WATCHER_TTL_MS is a leftover (a lost onDisconnect) and does not count.
 */
export const WATCHER_REFRESH_MS = 60_000;
export const WATCHER_TTL_MS = 3 * WATCHER_REFRESH_MS;

/** `vmPool/previews/{vmId}`, written only by the agent on that VM. */
export interface Preview {
  /** `data:image/jpeg;base64,…` */
  image: string;
  width: number;
  height: number;
  /** Size of the JPEG itself. */
  bytes: number;
  capturedAt: number;
  /** The program scene the image shows. */
  scene: string | null;
}

const side = z.number().int().min(1).max(PREVIEW_MAX_SIDE);

export const previewSchema = z.object({
  image: z
    .string()
    .max(PREVIEW_IMAGE_MAX_LENGTH)
    .refine((value) => value.startsWith(PREVIEW_IMAGE_PREFIX), {
      error: `must be a data URL starting with ${PREVIEW_IMAGE_PREFIX}`,
    }),
  width: side,
  height: side,
  bytes: z.number().int().min(1).max(PREVIEW_MAX_BYTES),
  capturedAt: timestamp,
  scene: nullable(z.string().max(256)),
}) satisfies z.ZodType<Preview, unknown>;

/** The number of bytes the base64 part of a preview's data URL decodes to. */
export function jpegBytesOf(image: string): number {
  const base64 = image.startsWith(PREVIEW_IMAGE_PREFIX)
    ? image.slice(PREVIEW_IMAGE_PREFIX.length)
    : image;
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

export function parsePreview(raw: unknown): Parsed<Preview> {
  return parseWith(previewSchema, raw);
}

/** `vmPool/vms/{vmId}/watchers`: uid → when that watcher last confirmed (server time). */
export type Watchers = Record<string, number>;

const watchersSchema = z.preprocess(
  (raw) => raw ?? {},
  z.record(z.string().min(1).max(UID_MAX_LENGTH), timestamp),
);

export function parseWatchers(raw: unknown): Parsed<Watchers> {
  return parseWith(watchersSchema, raw);
}

/** The uids that count as watching at `now` (fresh entries only). */
export function liveWatchers(watchers: Watchers, now: number): string[] {
  return Object.entries(watchers)
    .filter(([, at]) => now - at <= WATCHER_TTL_MS)
    .map(([uid]) => uid)
    .sort();
}
