// The CommandEnv of a local "VM": the catalogue's argv runs for real, with systemctl and the
// AMI's two wrappers (vmpool-logs, vmpool-archive) pointed at vmctl (which acts on the
// stand-in show server and the VM directory), and git, npm, find, cp, free, df, uptime as they
// are, as the local user.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CommandEnv } from '@vmpool/core';
import { vmDirLayout } from './vm-dir';

export interface LocalVm {
  vmDir: string;
  showServerUrl: string;
}

/** Bucket name the local archive uses; files land in `<vmDir>/archive/<bucket>/<compId>/`. */
export const LOCAL_ARCHIVE_BUCKET = 'local-archive';

export function vmctlArgv(vm: LocalVm): string[] {
  const vmFlags = ['--vm-dir', vm.vmDir, '--show-server', vm.showServerUrl];
  // The VM's installed vmctl (one built file, see local/src/compute/vm-programs.ts): a
  // command step starts in a fraction of the time tsx needs to compile vmctl and core from
  // source, which under load took 20-40 s per step of a release's cleanup.
  const installed = vmDirLayout(vm.vmDir).vmctl;
  if (existsSync(installed)) return [process.execPath, installed, ...vmFlags];
  // Not installed (an agent started on its own): from source. Resolved lazily: only local
  // mode (run through tsx) ever needs vmctl.
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const cli = fileURLToPath(new URL('./vmctl-cli.ts', import.meta.url));
  return [process.execPath, '--import', tsxLoader, cli, ...vmFlags];
}

export function localCommandEnv(vm: LocalVm): CommandEnv {
  const vmctl = vmctlArgv(vm);
  const layout = vmDirLayout(vm.vmDir);
  return {
    systemctl: [...vmctl, 'systemctl'],
    logs: [...vmctl, 'vmpool-logs'],
    git: ['git'],
    npm: ['npm'],
    find: ['find'],
    cp: ['cp'],
    units: {
      showServer: 'show-server',
      obs: 'obs-headless',
      nimble: 'nimble',
      xvfb: 'xvfb',
      agent: 'vmpool-agent',
    },
    dirs: {
      showServerRepo: layout.repo,
      showServerPackage: join(layout.repo, 'server'),
      recordings: layout.recordings,
      obsConfig: layout.obsConfig,
      obsTemplate: layout.obsTemplate,
    },
    // vmctl's vmpool-archive stands in for the AMI's wrapper, with its arguments and filter.
    archive: {
      argv: [...vmctl, 'vmpool-archive'],
      bucket: LOCAL_ARCHIVE_BUCKET,
    },
  };
}
