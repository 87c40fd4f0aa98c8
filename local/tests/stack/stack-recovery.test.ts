// One stack per data folder, and a stack that was killed hard (SIGKILL, no clean-up) has its
// orphans (agents, show servers, Auth emulator) stopped by the next start.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/compute/vm-processes';
import { freePort, startHeadless, type RunningHeadless } from './headless-stack';

interface VmInfo {
  vmId: string;
  agentPid: number | null;
  showServerPid: number | null;
  agentAlive: boolean;
}

async function aliveAgents(controlPort: number): Promise<VmInfo[]> {
  const until = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`http://127.0.0.1:${controlPort}/__local/vms`);
    // The two VMs that ran before the crash; the warm minimum may start others meanwhile.
    const list = ((await response.json()) as VmInfo[]).filter(
      (vm) => vm.agentAlive && (vm.vmId === 'vm-001' || vm.vmId === 'vm-002'),
    );
    if (list.length === 2) return list;
    if (Date.now() > until) throw new Error(`agents not alive: ${JSON.stringify(list)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('npm start after a crash', { timeout: 240_000 }, () => {
  const dirs: string[] = [];
  const running: RunningHeadless[] = [];
  afterAll(async () => {
    await Promise.all(running.map((stack) => stack.stop()));
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('refuses a second stack on the same data, and cleans up after a SIGKILLed one', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vmpool-stack-'));
    dirs.push(dataDir);
    const ports = { db: await freePort(), auth: await freePort(), control: await freePort() };
    const prefix = `127.${200 + (process.pid % 50)}.${20 + (process.pid % 200)}`;
    const first = await startHeadless(dataDir, ports, prefix, 180_000);
    running.push(first);
    const orphans = await aliveAgents(ports.control);

    const otherPorts = { db: await freePort(), auth: await freePort(), control: await freePort() };
    await expect(startHeadless(dataDir, otherPorts, prefix, 60_000)).rejects.toThrow(
      /another vmpool stack \(pid \d+\) is using/,
    );

    // A hard kill: the stack gets no chance to stop its children.
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    running.pop();
    for (const vm of orphans) expect(isAlive(vm.agentPid ?? -1)).toBe(true);

    const second = await startHeadless(dataDir, ports, prefix, 180_000);
    running.push(second);
    expect(second.output()).toMatch(/stopped processes left over by an earlier stack/);
    for (const vm of orphans) {
      expect(isAlive(vm.agentPid ?? -1)).toBe(false);
      expect(isAlive(vm.showServerPid ?? -1)).toBe(false);
    }
    const fresh = await aliveAgents(ports.control);
    expect(fresh.map((vm) => vm.vmId)).toEqual(['vm-001', 'vm-002']);
    expect(await second.stop()).toBe(0);
    running.pop();
  });
});
