// `npm start -- --headless` for real: RTDB, the Auth emulator, seeding and local VMs come up;
// Ctrl-C stops everything; a second start keeps what the first wrote and brings the warm VMs back.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/compute/vm-processes';
import { freePort, startHeadless, type RunningHeadless } from './headless-stack';
import { demoIdTokenClaims } from './demo-sign-in';

interface VmInfo {
  vmId: string;
  state: string;
  address: string;
  agentPid: number | null;
  showServerPid: number | null;
  agentAlive: boolean;
}

interface SavedTree {
  namespaces: Record<string, SavedNamespace>;
}
interface SavedNamespace {
  vmPool?: { config?: { minWarmVMs?: number; updatedAt?: number } };
  competitions?: Record<string, { config?: Record<string, unknown> }>;
  producerAccess?: Record<string, Record<string, boolean>>;
}

async function vms(controlPort: number): Promise<VmInfo[]> {
  const response = await fetch(`http://127.0.0.1:${controlPort}/__local/vms`);
  return (await response.json()) as VmInfo[];
}

async function waitForAgents(controlPort: number, vmIds: string[]): Promise<VmInfo[]> {
  const until = Date.now() + 60_000;
  for (;;) {
    const list = await vms(controlPort);
    if (vmIds.every((vmId) => list.find((vm) => vm.vmId === vmId)?.agentAlive)) return list;
    if (Date.now() > until) throw new Error(`agents not alive: ${JSON.stringify(list)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('npm start --headless', { timeout: 240_000 }, () => {
  const dirs: string[] = [];
  let running: RunningHeadless | undefined;
  afterAll(async () => {
    await running?.stop();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('seeds users, data and the pool, stops cleanly, and a second start keeps it all', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vmpool-stack-'));
    dirs.push(dataDir);
    const ports = { db: await freePort(), auth: await freePort(), control: await freePort() };
    const prefix = `127.${150 + (process.pid % 50)}.${10 + (process.pid % 200)}`;

    running = await startHeadless(dataDir, ports, prefix, 180_000);
    expect(running.output()).toContain('admin@vmpool.local');
    expect(running.output()).toContain('producer@vmpool.local');
    expect(await demoIdTokenClaims(ports.auth, 'admin@vmpool.local')).toMatchObject({
      admin: true,
    });
    expect(await demoIdTokenClaims(ports.auth, 'producer@vmpool.local')).toMatchObject({
      producer: true,
    });
    const first = await waitForAgents(ports.control, ['vm-001', 'vm-002']);
    expect(first.map((vm) => [vm.vmId, vm.state, vm.address])).toEqual([
      ['vm-001', 'running', `${prefix}.2`],
      ['vm-002', 'running', `${prefix}.3`],
      ['vm-003', 'stopped', `${prefix}.4`],
      ['vm-004', 'stopped', `${prefix}.5`],
      ['vm-005', 'stopped', `${prefix}.6`],
    ]);
    const status = await fetch(`http://${prefix}.2:3003/api/status`);
    expect(status.ok).toBe(true);

    expect(await running.stop()).toBe(0);
    running = undefined;
    for (const vm of first) {
      for (const pid of [vm.agentPid, vm.showServerPid])
        if (pid !== null) expect(isAlive(pid)).toBe(false);
    }
    const saved = JSON.parse(await readFile(join(dataDir, 'rtdb.json'), 'utf8')) as SavedTree;
    const tree = saved.namespaces['demo-vmpool'];
    expect(tree?.vmPool?.config?.minWarmVMs).toBe(2);
    expect(Object.keys(tree?.competitions ?? {}).sort()).toEqual([
      'college-dual-m-2027',
      'elite-qualifier-w-2027',
      'state-champs-w-2026',
      'winter-invitational-m-2026',
    ]);
    expect(tree?.competitions?.['state-champs-w-2026']?.config).toMatchObject({
      eventName: 'State Championships',
      gender: 'womens',
      meetDate: '2026-12-05',
      venue: 'Capital Arena',
    });
    expect(tree?.producerAccess?.['demo-producer']).toEqual({
      'state-champs-w-2026': true,
      'winter-invitational-m-2026': true,
    });

    // The second start: nothing re-seeded over existing data, the warm VMs come back.
    running = await startHeadless(dataDir, ports, prefix, 180_000);
    const second = await waitForAgents(ports.control, ['vm-001', 'vm-002']);
    expect(second.map((vm) => vm.state)).toEqual(first.map((vm) => vm.state));
    expect(await demoIdTokenClaims(ports.auth, 'admin@vmpool.local')).toMatchObject({
      admin: true,
    });
    expect(await running.stop()).toBe(0);
    running = undefined;
    const again = JSON.parse(await readFile(join(dataDir, 'rtdb.json'), 'utf8')) as SavedTree;
    expect(again.namespaces['demo-vmpool']?.vmPool?.config?.updatedAt).toBe(
      tree?.vmPool?.config?.updatedAt,
    );
    for (const vm of second) {
      for (const pid of [vm.agentPid, vm.showServerPid])
        if (pid !== null) expect(isAlive(pid)).toBe(false);
    }
  });
});
