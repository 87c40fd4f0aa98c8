// systemd unit states. On a VM they come from `systemctl show`; on a local VM from the
// units file its vmctl keeps (the local VM's service manager).
import { access, readFile } from 'node:fs/promises';
import { captureArgv } from '../commands/process-runner';

/** The units the AMI installs (ami/systemd). */
export const UNITS = {
  xvfb: 'xvfb.service',
  obs: 'obs-headless.service',
  showServer: 'show-server.service',
  nimble: 'nimble.service',
} as const;
export type UnitKey = keyof typeof UNITS;

/** ActiveState per unit key: active, inactive, failed, activating, deactivating, … */
export type UnitStates = Partial<Record<UnitKey, string>>;

export interface UnitSource {
  read(): Promise<UnitStates | null>;
}

/** Parses `systemctl show --property=Id,ActiveState a b c` (blocks separated by blank lines). */
export function parseSystemctlShow(text: string): Map<string, string> {
  const states = new Map<string, string>();
  for (const block of text.split(/\n\s*\n/)) {
    const fields = new Map(
      block
        .split('\n')
        .map((line) => line.split('=', 2) as [string, string?])
        .filter((pair): pair is [string, string] => pair[1] !== undefined),
    );
    const id = fields.get('Id');
    const state = fields.get('ActiveState');
    if (id && state) states.set(id, state);
  }
  return states;
}

export function systemdUnitSource(systemctl: readonly string[] = ['systemctl']): UnitSource {
  let available: boolean | undefined;
  return {
    async read() {
      // Only where systemd is the init system (not in containers or on a dev box).
      if (available === undefined)
        available = await access('/run/systemd/system').then(
          () => true,
          () => false,
        );
      if (!available) return null;
      const result = await captureArgv([
        ...systemctl,
        'show',
        '--property=Id,ActiveState',
        ...Object.values(UNITS),
      ]);
      if (!result.ok) return null;
      const byId = parseSystemctlShow(result.stdout);
      const states: UnitStates = {};
      for (const [key, unit] of Object.entries(UNITS) as [UnitKey, string][]) {
        const state = byId.get(unit);
        if (state) states[key] = state;
      }
      return states;
    },
  };
}

/** The local VM's units file, `{ "obs-headless.service": "active", … }`, written by vmctl. */
export function fileUnitSource(path: string): UnitSource {
  return {
    async read() {
      try {
        const parsed = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
        const states: UnitStates = {};
        for (const [key, unit] of Object.entries(UNITS) as [UnitKey, string][]) {
          const state = parsed[unit];
          if (typeof state === 'string') states[key] = state;
        }
        return states;
      } catch {
        return null;
      }
    },
  };
}
