// Where state exports are kept (issue 12): the recordings archive. On a local VM that is the
// VM directory's archive, as for `archive_recordings` (`<vmDir>/archive/<bucket>/<key>`, the
// stand-in for S3); a spare reads the failed VM's archive beside its own (the local VMs share
// one parent directory), as a production spare reads the same bucket.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { STATE_EXPORT_PREFIX } from '@vmpool/core';
import { LOCAL_ARCHIVE_BUCKET } from '../local/command-env';
import { vmDirLayout } from '../local/vm-dir';

export interface StateArchive {
  readonly bucket: string;
  /** Stores `body` at `key` (a state key, `state/…`). */
  put(key: string, body: Buffer): Promise<void>;
  /** The object at `key` as exported by `sourceVmId`; null when there is none. */
  get(sourceVmId: string, key: string): Promise<Buffer | null>;
}

/** Refuses anything but a `state/…` key (no `..`): the store never reaches outside it. */
export function assertStateKey(key: string): void {
  if (!key.startsWith(`${STATE_EXPORT_PREFIX}/`) || key.split('/').includes('..')) {
    throw new Error(`not a state export key: ${key}`);
  }
}

/** The local VM's archive directory (vmctl's vmpool-archive writes recordings there too). */
export function localStateArchive(vmDir: string): StateArchive {
  const root = resolve(vmDir);
  const bucketDir = (dir: string) => join(vmDirLayout(dir).archive, LOCAL_ARCHIVE_BUCKET);
  return {
    bucket: LOCAL_ARCHIVE_BUCKET,
    async put(key, body) {
      assertStateKey(key);
      const path = join(bucketDir(root), key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(`${path}.${process.pid}.tmp`, body);
      await rename(`${path}.${process.pid}.tmp`, path);
    },
    async get(sourceVmId, key) {
      assertStateKey(key);
      const source = join(dirname(root), sourceVmId);
      try {
        return await readFile(join(bucketDir(source), key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
  };
}
