// The programs installed on a local "VM", as the AMI installs the agent bundle and its
// wrappers: the agent (agent/src/main.ts, bundled as agent/build.mjs bundles it for the AMI)
// and the agent's vmctl (agent/src/local/vmctl-cli.ts), each built once per stack into one
// ES module from the same source and written into each VM's directory before its agent starts.
// Started as `node <vmDir>/bin/….mjs`, a plain Node start, instead of `node --import tsx ….ts`,
// which compiled the agent, vmctl and core from source at every start: a release's cleanup is
// three vmctl steps, and under load each took 20-40 s that way; an agent restart took about
// 3 times as long as from the bundle. The agent still spawns one process per command step,
// with the executor's timeouts and exit codes, as on EC2.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

/** Where the agent looks for vmctl: agent/src/local/vm-dir.ts `vmDirLayout(vmDir).vmctl`. */
export const INSTALLED_VMCTL = join('bin', 'vmctl.mjs');
export const VMCTL_SOURCE = join('agent', 'src', 'local', 'vmctl-cli.ts');
/** The agent as the AMI runs it (ami/: `node agent.mjs`). */
export const INSTALLED_AGENT = join('bin', 'vmpool-agent.mjs');
export const AGENT_SOURCE = join('agent', 'src', 'main.ts');

const builds = new Map<string, Promise<string>>();
let installs = 0;

/** One entry point as one ES module (built once per process, repository and entry point). */
export function bundle(repoRoot: string, source: string): Promise<string> {
  const key = join(repoRoot, source);
  let built = builds.get(key);
  if (built === undefined) {
    built = build({
      entryPoints: [key],
      absWorkingDir: repoRoot,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      write: false,
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
      // Bundled CommonJS dependencies may require() Node's built-ins (as agent/build.mjs).
      banner: {
        js: "import { createRequire as __vmpoolCreateRequire } from 'node:module'; const require = __vmpoolCreateRequire(import.meta.url);",
      },
    }).then((result) => {
      const output = result.outputFiles[0];
      if (output === undefined) throw new Error(`esbuild wrote no bundle of ${source}`);
      return output.text;
    });
    // A failed build is tried again by the next VM rather than remembered.
    built.catch(() => builds.delete(key));
    builds.set(key, built);
  }
  return built;
}

/**
 * Writes the built program into the VM directory (atomically: a process starting meanwhile
 * sees the old file or the new one). When the build fails the file is removed, so nothing runs
 * an outdated build; the error is rethrown for the caller (who then runs it from source).
 */
async function install(
  repoRoot: string,
  vmDir: string,
  source: string,
  installed: string,
): Promise<string> {
  const target = join(vmDir, installed);
  try {
    const code = await bundle(repoRoot, source);
    await mkdir(dirname(target), { recursive: true });
    installs += 1;
    const temporary = `${target}.${process.pid}-${installs}.tmp`;
    await writeFile(temporary, code);
    await rename(temporary, target);
    return target;
  } catch (error) {
    await rm(target, { force: true });
    throw error;
  }
}

/** vmctl into `<vmDir>/bin/vmctl.mjs`; resolves with its path. */
export function installVmctl(repoRoot: string, vmDir: string): Promise<string> {
  return install(repoRoot, vmDir, VMCTL_SOURCE, INSTALLED_VMCTL);
}

/** The agent into `<vmDir>/bin/vmpool-agent.mjs`; resolves with its path. */
export function installAgent(repoRoot: string, vmDir: string): Promise<string> {
  return install(repoRoot, vmDir, AGENT_SOURCE, INSTALLED_AGENT);
}
