// The programs a local VM runs as installed on it: vmctl, which the agent runs its command
// steps with, built once from the agent's vmctl-cli.ts, and the agent itself; each installed
// into the VM directory and the same program as from source (same output, exit codes, refusals).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INSTALLED_AGENT,
  INSTALLED_VMCTL,
  installAgent,
  installVmctl,
} from '../../src/compute/vm-programs';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');
let vmDir: string;

beforeAll(async () => {
  vmDir = await mkdtemp(join(tmpdir(), 'vmpool-vmctl-'));
});
afterAll(async () => {
  await rm(vmDir, { recursive: true, force: true });
});

/** The installed vmctl, as the agent's executor runs a step: one process, no shell. */
function vmctl(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    [
      join(vmDir, INSTALLED_VMCTL),
      '--vm-dir',
      vmDir,
      '--show-server',
      'http://127.0.0.1:9',
      ...args,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

describe('installVmctl', () => {
  it('writes vmctl into the VM directory as one file that runs without tsx', async () => {
    await installVmctl(REPO_ROOT, vmDir);
    expect(existsSync(join(vmDir, INSTALLED_VMCTL))).toBe(true);
    const code = await readFile(join(vmDir, INSTALLED_VMCTL), 'utf8');
    expect(code).not.toMatch(/from ['"]@vmpool\/core['"]/);
    // systemd's answers on a fresh VM: every unit active.
    expect(vmctl('systemctl', 'is-active', 'nimble')).toEqual({
      code: 0,
      stdout: 'active',
      stderr: '',
    });
  });

  it('changes units and keeps their journal as the source program does', async () => {
    await installVmctl(REPO_ROOT, vmDir);
    expect(vmctl('systemctl', 'stop', 'nimble').code).toBe(0);
    expect(vmctl('systemctl', 'is-active', 'nimble')).toMatchObject({
      code: 3,
      stdout: 'inactive',
    });
    const logs = vmctl('vmpool-logs', 'nimble', '5');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('Stopped nimble.service');
  });

  it('refuses what the AMI wrappers refuse, with their exit codes', async () => {
    await installVmctl(REPO_ROOT, vmDir);
    expect(vmctl('systemctl', 'start', 'sshd').code).toBe(5);
    expect(vmctl('vmpool-logs', 'nimble', '501').code).toBe(64);
    expect(vmctl('vmpool-archive', 'Not_A_Bucket', 'comp-1').code).toBe(64);
    expect(vmctl('rm', '-rf', '/').code).toBe(2);
  });
});

describe('installAgent', () => {
  it('writes the agent into the VM directory as one file that starts without tsx', async () => {
    const path = await installAgent(REPO_ROOT, vmDir);
    expect(path).toBe(join(vmDir, INSTALLED_AGENT));
    // Its own configuration check answers, as `node agent.mjs` on the AMI does.
    const result = spawnSync(process.execPath, [path, '--local'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('vmpool-agent: invalid configuration');
    expect(result.stderr).toContain('--vm-id');
  });
});
