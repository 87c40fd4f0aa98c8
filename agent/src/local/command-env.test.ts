import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localCommandEnv, vmctlArgv } from './command-env';
import { vmDirLayout } from './vm-dir';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function vmDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmpool-cmdenv-'));
  dirs.push(dir);
  return dir;
}
const SHOW = 'http://127.0.0.1:3003';

describe('vmctlArgv', () => {
  it("runs the VM's installed vmctl with plain node when the local compute installed one", () => {
    const dir = vmDir();
    mkdirSync(join(dir, 'bin'));
    writeFileSync(vmDirLayout(dir).vmctl, '');
    expect(vmctlArgv({ vmDir: dir, showServerUrl: SHOW })).toEqual([
      process.execPath,
      vmDirLayout(dir).vmctl,
      '--vm-dir',
      dir,
      '--show-server',
      SHOW,
    ]);
    const env = localCommandEnv({ vmDir: dir, showServerUrl: SHOW });
    expect(env.systemctl).toEqual([...vmctlArgv({ vmDir: dir, showServerUrl: SHOW }), 'systemctl']);
    expect(env.archive.argv.at(-1)).toBe('vmpool-archive');
  });

  it('runs vmctl from source through tsx when none is installed (an agent started alone)', () => {
    const dir = vmDir();
    const argv = vmctlArgv({ vmDir: dir, showServerUrl: SHOW });
    expect(argv[0]).toBe(process.execPath);
    expect(argv[1]).toBe('--import');
    expect(argv[3]).toMatch(/vmctl-cli\.ts$/);
    expect(argv.slice(4)).toEqual(['--vm-dir', dir, '--show-server', SHOW]);
  });
});
