// One stack per data folder. `stack.json` records the stack's pid and its helper processes, so
// a stack that was killed hard (no chance to clean up) has its orphans stopped by the next one.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive, killGroup } from '../compute/vm-processes';

interface StackFile {
  pid: number;
  helpers: { name: string; pid: number; marker: string }[];
}

async function cmdline(pid: number): Promise<string[]> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  } catch {
    return [];
  }
}

export interface StackLock {
  addHelper(name: string, pid: number, marker: string): Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes the data folder: refuses when a live stack holds it, stops the helpers of a dead one.
 * Returns what it cleaned up, for the log.
 */
export async function takeStackLock(
  dataDir: string,
): Promise<{ lock: StackLock; reaped: string[] }> {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, 'stack.json');
  const reaped: string[] = [];
  let previous: StackFile | null = null;
  try {
    previous = JSON.parse(await readFile(file, 'utf8')) as StackFile;
  } catch {
    previous = null;
  }
  if (previous !== null && Number.isInteger(previous.pid) && previous.pid !== process.pid) {
    const line = await cmdline(previous.pid);
    if (isAlive(previous.pid) && line.some((part) => part.includes('stack/main.ts')))
      throw new Error(
        `another vmpool stack (pid ${previous.pid}) is using ${dataDir}; stop it first or pass --data-dir`,
      );
    for (const helper of previous.helpers ?? []) {
      const helperLine = await cmdline(helper.pid);
      if (helperLine.some((part) => part.includes(helper.marker))) {
        await killGroup(helper.pid, 5000);
        reaped.push(`${helper.name} (pid ${helper.pid})`);
      }
    }
  }
  const state: StackFile = { pid: process.pid, helpers: [] };
  const save = () => writeFile(file, `${JSON.stringify(state, null, 2)}\n`);
  await save();
  return {
    reaped,
    lock: {
      async addHelper(name, pid, marker) {
        state.helpers.push({ name, pid, marker });
        await save();
      },
      async release() {
        await rm(file, { force: true });
      },
    },
  };
}
