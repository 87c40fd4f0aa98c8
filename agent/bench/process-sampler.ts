// RSS and CPU time of one process from /proc (Linux).
import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessSample {
  at: number;
  rssMb: number;
  /** Memory only this process holds (anonymous pages); RSS also counts the node binary's
   * text, which every node process on the VM (the show server too) shares. */
  privateMb: number;
  cpuSeconds: number;
}

export function sampleProcess(pid: number): ProcessSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  // Fields after the command name (which may contain spaces) start at index 2 (state).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const anonymousKb = Number(/Anonymous:\s+(\d+)/.exec(rollup)?.[1] ?? Number.NaN);
  return {
    at: performance.now(),
    rssMb: rssKb / 1024,
    privateMb: anonymousKb / 1024,
    cpuSeconds: (utime + stime) / CLOCK_TICKS_PER_SECOND,
  };
}
