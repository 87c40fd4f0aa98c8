import { readdir, readFile } from 'node:fs/promises';

/**
 * Names (comm) of running processes from /proc: cheaper than a process listing library and
 * enough to tell whether Xvfb, OBS or Discord run. Null where /proc does not exist.
 */
export async function runningProcessNames(procDir = '/proc'): Promise<Set<string> | null> {
  let entries: string[];
  try {
    entries = await readdir(procDir);
  } catch {
    return null;
  }
  const names = new Set<string>();
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry))
      .map(async (pid) => {
        try {
          names.add((await readFile(`${procDir}/${pid}/comm`, 'utf8')).trim());
        } catch {
          // The process ended between readdir and read.
        }
      }),
  );
  return names;
}
