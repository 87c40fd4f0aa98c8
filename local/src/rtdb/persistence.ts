/** JSON snapshots of every namespace: loaded at start, saved atomically. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Json } from './tree';

export interface Snapshot {
  readonly version: 1;
  readonly namespaces: Record<string, Json>;
}

export function loadSnapshot(file: string): Record<string, Json> {
  if (!existsSync(file)) return {};
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !('namespaces' in parsed) ||
    typeof parsed.namespaces !== 'object' ||
    parsed.namespaces === null
  ) {
    throw new Error(`${file} is not an rtdb snapshot`);
  }
  return parsed.namespaces as Record<string, Json>;
}

/** Writes to a temporary file, then renames it over the old snapshot. */
export function saveSnapshot(file: string, namespaces: Record<string, Json>): void {
  mkdirSync(dirname(file), { recursive: true });
  const snapshot: Snapshot = { version: 1, namespaces };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(snapshot));
  renameSync(tmp, file);
}
