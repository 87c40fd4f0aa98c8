// The layout of a local "VM" directory: what vmctl and the catalogue's commands act on.
//   units.json           unit → ActiveState, the local VM's service manager state
//   logs/<unit>.log      each unit's journal (the agent's own log is vmpool-agent.log)
//   recordings/          what OBS recorded
//   archive/<bucket>/…   archived recordings (stands in for the S3 upload)
//   obs-config/, obs-template/   OBS configuration and its template
//   origin.git, show-server/     the show server's code and the remote it pulls from
//   bin/vmctl.mjs        vmctl built into one file, installed by the local compute before the
//                        agent starts (as the AMI installs its wrappers); absent: run from source
import { spawnSync } from 'node:child_process';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_PORTS } from '@vmpool/core';
import { UNITS } from '../probes/units';

export const vmDirLayout = (vmDir: string) => ({
  units: join(vmDir, 'units.json'),
  logs: join(vmDir, 'logs'),
  recordings: join(vmDir, 'recordings'),
  archive: join(vmDir, 'archive'),
  obsConfig: join(vmDir, 'obs-config'),
  obsTemplate: join(vmDir, 'obs-template'),
  origin: join(vmDir, 'origin.git'),
  repo: join(vmDir, 'show-server'),
  vmctl: join(vmDir, 'bin', 'vmctl.mjs'),
});

export const LOCAL_UNITS: readonly string[] = [...Object.values(UNITS), 'vmpool-agent.service'];

/** Creates whatever the VM directory lacks; an existing VM keeps its state. */
export async function ensureVmDir(vmDir: string): Promise<void> {
  const layout = vmDirLayout(vmDir);
  await Promise.all(
    [layout.logs, layout.recordings, layout.archive, layout.obsConfig, layout.obsTemplate].map(
      (dir) => mkdir(dir, { recursive: true }),
    ),
  );
  if ((await readUnits(vmDir)) === null) {
    await writeUnits(
      vmDir,
      Object.fromEntries(Object.values(UNITS).map((unit) => [unit, 'active'])),
    );
  }
  const template = join(layout.obsTemplate, 'global.ini');
  if (!existsSync(template)) {
    await writeFile(
      template,
      `[OBSWebSocket]\nServerEnabled=true\nServerPort=${SERVICE_PORTS.obsWebsocket}\nAuthRequired=false\n`,
    );
  }
  if (!existsSync(layout.repo)) createShowServerRepo(layout.origin, layout.repo);
}

function git(args: string[], cwd?: string): void {
  const result = spawnSync(
    'git',
    [
      '-c',
      'user.name=vmpool',
      '-c',
      'user.email=vmpool@localhost',
      '-c',
      'init.defaultBranch=main',
      ...args,
    ],
    {
      cwd,
      encoding: 'utf8',
    },
  );
  if (result.status !== 0)
    throw new Error(`git ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
}

/** A real repository with a real remote, so that `update_code`'s git pull and npm install run. */
function createShowServerRepo(origin: string, repo: string): void {
  git(['init', '--quiet', '--bare', origin]);
  git(['clone', '--quiet', origin, repo]);
  const server = join(repo, 'server');
  mkdirSync(server, { recursive: true });
  writeFileSync(
    join(server, 'package.json'),
    JSON.stringify({ name: 'show-server', version: '1.0.0', private: true }, null, 2),
  );
  git(['add', '.'], repo);
  git(['commit', '--quiet', '-m', 'show server'], repo);
  git(['push', '--quiet', 'origin', 'HEAD'], repo);
}

export async function readUnits(vmDir: string): Promise<Record<string, string> | null> {
  try {
    return JSON.parse(await readFile(vmDirLayout(vmDir).units, 'utf8')) as Record<string, string>;
  } catch {
    return null;
  }
}

export async function writeUnits(vmDir: string, units: Record<string, string>): Promise<void> {
  const path = vmDirLayout(vmDir).units;
  await writeFile(`${path}.${process.pid}.tmp`, JSON.stringify(units, null, 2));
  await rename(`${path}.${process.pid}.tmp`, path);
}

export async function journal(vmDir: string, unit: string, message: string): Promise<void> {
  const name = unit.replace(/\.service$/, '');
  await appendFile(
    join(vmDirLayout(vmDir).logs, `${name}.log`),
    `${new Date().toISOString()} ${name}: ${message}\n`,
  );
}
