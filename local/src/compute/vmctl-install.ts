// vmctl installed on a local "VM", as the AMI installs its wrappers: the agent's vmctl
// (agent/src/local/vmctl-cli.ts, the same code) built once per stack into one ES module and
// written into each VM's directory before its agent starts. The agent runs each command step
// as `node <vmDir>/bin/vmctl.mjs …`, a plain Node start, instead of `node --import tsx
// vmctl-cli.ts …`, which compiled vmctl and core from source for every step (a release's
// cleanup is three such steps; under load each took 20-40 s). The agent still spawns one
// process per step, with the executor's timeouts and exit codes, as on EC2.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

/** Where the agent looks for it: agent/src/local/vm-dir.ts `vmDirLayout(vmDir).vmctl`. */
export const INSTALLED_VMCTL = join('bin', 'vmctl.mjs');
export const VMCTL_SOURCE = join('agent', 'src', 'local', 'vmctl-cli.ts');

const builds = new Map<string, Promise<string>>();
let installs = 0;

/** vmctl as one ES module (built once per process and repository). */
export function vmctlBundle(repoRoot: string): Promise<string> {
  let built = builds.get(repoRoot);
  if (built === undefined) {
    built = build({
      entryPoints: [join(repoRoot, VMCTL_SOURCE)],
      absWorkingDir: repoRoot,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      write: false,
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
      // Bundled CommonJS dependencies may require() Node's built-ins.
      banner: {
        js: "import { createRequire as __vmctlCreateRequire } from 'node:module'; const require = __vmctlCreateRequire(import.meta.url);",
      },
    }).then((result) => {
      const output = result.outputFiles[0];
      if (output === undefined) throw new Error('esbuild wrote no vmctl bundle');
      return output.text;
    });
    // A failed build is tried again by the next VM rather than remembered.
    built.catch(() => builds.delete(repoRoot));
    builds.set(repoRoot, built);
  }
  return built;
}

/**
 * Writes the built vmctl into the VM directory (atomically: an agent starting meanwhile sees
 * the old file or the new one). When the build fails the file is removed, so the agent runs
 * vmctl from source instead of an outdated build; the error is rethrown for the caller to log.
 */
export async function installVmctl(repoRoot: string, vmDir: string): Promise<void> {
  const target = join(vmDir, INSTALLED_VMCTL);
  try {
    const code = await vmctlBundle(repoRoot);
    await mkdir(dirname(target), { recursive: true });
    installs += 1;
    const temporary = `${target}.${process.pid}-${installs}.tmp`;
    await writeFile(temporary, code);
    await rename(temporary, target);
  } catch (error) {
    await rm(target, { force: true });
    throw error;
  }
}
