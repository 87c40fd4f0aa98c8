// systemd Type=notify support without native modules: `systemd-notify` run via spawn (the
// unit sets NotifyAccess=all, since the message comes from a child process). The watchdog is
// fed from the agent's main loop, so a wedged loop stops the pings and systemd restarts us.
import { spawn } from 'node:child_process';
import type { Logger } from '@vmpool/core/ports';

export interface SystemdEnv {
  NOTIFY_SOCKET?: string;
  WATCHDOG_USEC?: string;
}

/** Half the watchdog period, as sd_watchdog_enabled(3) recommends; null without a watchdog. */
export function watchdogIntervalMs(env: SystemdEnv): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.NOTIFY_SOCKET || !Number.isFinite(usec) || usec <= 0) return null;
  return Math.max(500, Math.floor(usec / 2000));
}

export class SystemdNotifier {
  private readonly enabled: boolean;

  constructor(
    env: SystemdEnv,
    private readonly log: Logger,
  ) {
    this.enabled = Boolean(env.NOTIFY_SOCKET);
  }

  ready(status: string): void {
    this.send(['--ready', `--status=${status}`]);
  }

  status(status: string): void {
    this.send([`--status=${status}`]);
  }

  watchdog(): void {
    this.send(['WATCHDOG=1']);
  }

  stopping(): void {
    this.send(['STOPPING=1']);
  }

  private send(args: string[]): void {
    if (!this.enabled) return;
    // --pid names the agent as the sender, so systemd credits the message to the main process
    // even after this short-lived helper has exited.
    const child = spawn('systemd-notify', [`--pid=${process.pid}`, ...args], { stdio: 'ignore' });
    child.once('error', (error) => this.log.warn('systemd-notify failed', { error }));
  }
}
