/** The live preview (`vmPool/previews/{vmId}`) and this user's watcher entry for a VM. */
import { parsePreview, paths, type Preview } from '@vmpool/core';
import { onDisconnect, ref, remove, type Database } from 'firebase/database';
import {
  describeDataError,
  serverTimestamp,
  watchValue,
  writeValue,
  type Unsubscribe,
} from '../../../lib/rtdb';

export interface PreviewState {
  preview: Preview | null;
  /** A stored preview that fails validation, or a read error, in words. */
  error: string | null;
}

export function previewFromSnapshot(raw: unknown): PreviewState {
  if (raw === null || raw === undefined) return { preview: null, error: null };
  const parsed = parsePreview(raw);
  return parsed.ok
    ? { preview: parsed.value, error: null }
    : { preview: null, error: `The stored preview is invalid: ${parsed.errors.join('; ')}` };
}

export function watchPreview(
  db: Database,
  vmId: string,
  onData: (state: PreviewState) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return watchValue(db, paths.preview(vmId), (raw) => onData(previewFromSnapshot(raw)), onError);
}

/**
 * Writes (or re-writes) the user's watcher entry with the server's time, and asks the server
 * to remove it should this client vanish. Called on open and every WATCHER_REFRESH_MS.
 */
export async function confirmWatcher(db: Database, vmId: string, uid: string): Promise<void> {
  const entry = ref(db, paths.vmWatcher(vmId, uid));
  try {
    await onDisconnect(entry).remove();
  } catch (error) {
    throw new Error(describeDataError(error), { cause: error });
  }
  await writeValue(db, paths.vmWatcher(vmId, uid), serverTimestamp());
}

/** Removes the entry now (the card or page closed) and drops the queued onDisconnect. */
export async function dropWatcher(db: Database, vmId: string, uid: string): Promise<void> {
  const entry = ref(db, paths.vmWatcher(vmId, uid));
  try {
    await onDisconnect(entry).cancel();
    await remove(entry);
  } catch (error) {
    throw new Error(describeDataError(error), { cause: error });
  }
}
