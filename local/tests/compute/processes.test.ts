// The local provider with real processes: a launched VM runs a show server on its own
// loopback address and an agent that reports into RTDB; stop, start, reboot, kill-agent,
// terminate and a restart of the provider all act on those processes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ComputePort, LaunchSpec } from '@vmpool/core/ports';
import { isAlive } from '../../src/compute/vm-processes';
import { LocalCompute } from '../../src/compute/index';
import { computeFixture, NAMESPACE, waitFor, type ComputeFixture } from './fixture';

const REGION = 'us-east-1';
const POOL_TAGS = { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' };

function spec(vmId: string): LaunchSpec {
  return {
    amiId: 'ami-0123456789abcdef0',
    instanceType: 't3.large',
    subnetId: '',
    securityGroupId: '',
    keyPairName: '',
    instanceProfile: '',
    userData: '',
    tags: { ...POOL_TAGS, VmId: vmId },
    clientToken: `launch-${vmId}`,
  };
}

async function stateOf(compute: ComputePort, instanceId: string) {
  const all = await compute.describePoolInstances(REGION, POOL_TAGS);
  return all.find((instance) => instance.instanceId === instanceId)?.state;
}

function agentOnline(fixture: ComputeFixture, vmId: string): boolean | undefined {
  const data = fixture.rtdb.exportData(NAMESPACE) as {
    vmPool?: { vms?: Record<string, { agent?: { online?: boolean } }> };
  } | null;
  return data?.vmPool?.vms?.[vmId]?.agent?.online;
}

describe('LocalCompute with real processes', { timeout: 120_000 }, () => {
  let fixture: ComputeFixture | undefined;
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });

  it('boots a launched VM: pending, then a show server and an agent that reports online', async () => {
    fixture = await computeFixture();
    const compute = await fixture.open();
    const launched = await compute.launchInstance(REGION, spec('vm-101'));
    expect(launched).toMatchObject({ instanceId: 'local-vm-101', state: 'pending' });
    expect(launched.tags).toMatchObject({ ...POOL_TAGS, VmId: 'vm-101' });

    await waitFor(
      async () => (await stateOf(compute, 'local-vm-101')) === 'running',
      60_000,
      'running',
    );
    // Running once booted, as on EC2; its services start after that.
    await waitFor(() => compute.list()[0]?.agentAlive === true, 60_000, 'agent started');
    const [vm] = compute.list();
    expect(vm?.showServerAlive).toBe(true);
    const status = (await (await fetch(`${vm?.showServerUrl}/api/status`)).json()) as {
      obsConnected: boolean;
    };
    expect(status.obsConnected).toBe(true);
    await waitFor(() => agentOnline(fixture!, 'vm-101') === true, 60_000, 'agent online');
    const [described] = await compute.describePoolInstances(REGION, POOL_TAGS);
    expect(described?.publicIp).toBe(vm?.address);
  });

  // The schedule stack test's VM that never came up (CI, a loaded machine): a show server that
  // did not answer within the boot's wait was killed and the agent never started, so the VM
  // stayed `starting` until its deadline. As systemd on a VM, the agent starts anyway.
  it('a show server slow to answer does not keep the agent from starting, and is not killed', async () => {
    // A wait of 0: the show server (a new node process) cannot have answered yet.
    fixture = await computeFixture({ showServerReadyTimeoutMs: 0 });
    const compute = await fixture.open();
    await compute.launchInstance(REGION, spec('vm-107'));
    await waitFor(() => agentOnline(fixture!, 'vm-107') === true, 60_000, 'agent online');
    const [vm] = compute.list();
    expect(vm?.showServerAlive).toBe(true);
    await waitFor(
      async () => (await fetch(`${vm?.showServerUrl}/api/status`).catch(() => null))?.ok === true,
      60_000,
      'show server serving',
    );
    const journal = await readFile(join(vm!.vmDir, 'logs', 'show-server.log'), 'utf8');
    expect(journal).toMatch(/Not answering .*\/api\/status after 0 ms; still starting/);
  });

  it('kill-agent SIGKILLs only the agent: presence goes offline, the show server stays', async () => {
    fixture = await computeFixture();
    const compute = await fixture.open();
    await compute.launchInstance(REGION, spec('vm-102'));
    await waitFor(() => agentOnline(fixture!, 'vm-102') === true, 60_000, 'agent online');
    const before = compute.list()[0];
    const result = compute.killAgent('vm-102');
    expect(result).toEqual({ killed: true, pid: before?.agentPid });
    await waitFor(() => agentOnline(fixture!, 'vm-102') === false, 30_000, 'agent offline');
    const after = compute.list()[0];
    expect(after?.agentAlive).toBe(false);
    expect(after?.showServerAlive).toBe(true);
    expect(await stateOf(compute, 'local-vm-102')).toBe('running');
    expect(compute.killAgent('vm-102')).toEqual({ killed: false, reason: 'NOT_RUNNING' });
    expect(compute.killAgent('vm-999')).toEqual({ killed: false, reason: 'NOT_FOUND' });
  });

  // --- status checks (issue 12)
  it('a crashed VM fails its instance status check once EC2 would notice; a reboot clears it', async () => {
    let skew = 0;
    fixture = await computeFixture({
      statusCheckDelayMs: 60_000,
      clock: { now: () => Date.now() + skew },
    });
    const compute = await fixture.open();
    await compute.launchInstance(REGION, spec('vm-106'));
    await waitFor(async () => compute.list()[0]?.agentAlive, 60_000, 'agent alive');
    const checks = async () =>
      (await compute.describeInstanceStatus(REGION, ['local-vm-106', 'local-vm-999']))[0];
    expect(await checks()).toMatchObject({ instanceStatus: 'initializing', state: 'running' });
    skew += 60_000;
    expect(await checks()).toMatchObject({ instanceStatus: 'ok', systemStatus: 'ok' });

    expect(compute.crash('vm-106')).toMatchObject({ crashed: true });
    // EC2 checks every minute: not failed yet at once, failed a minute later.
    expect((await checks())?.instanceStatus).toBe('ok');
    skew += 60_000;
    expect(await checks()).toEqual({
      instanceId: 'local-vm-106',
      state: 'running',
      instanceStatus: 'impaired',
      systemStatus: 'ok',
    });

    await compute.rebootInstance(REGION, 'local-vm-106');
    expect((await checks())?.instanceStatus).toBe('ok');
    await waitFor(async () => compute.list()[0]?.agentAlive, 60_000, 'agent alive after reboot');
  });
  // --- end status checks

  it('stop ends the processes and start brings them back; reboot replaces them', async () => {
    fixture = await computeFixture();
    const compute = await fixture.open();
    await compute.launchInstance(REGION, spec('vm-103'));
    await waitFor(async () => compute.list()[0]?.agentAlive, 60_000, 'agent alive');
    const first = compute.list()[0]!;

    await compute.stopInstance(REGION, 'local-vm-103');
    expect(await stateOf(compute, 'local-vm-103')).toBe('stopping');
    await waitFor(
      async () => (await stateOf(compute, 'local-vm-103')) === 'stopped',
      30_000,
      'stopped',
    );
    expect(isAlive(first.agentPid!)).toBe(false);
    expect(isAlive(first.showServerPid!)).toBe(false);
    const [stopped] = await compute.describePoolInstances(REGION, POOL_TAGS);
    expect(stopped?.publicIp).toBeNull();

    await compute.startInstance(REGION, 'local-vm-103');
    expect(await stateOf(compute, 'local-vm-103')).toBe('pending');
    await waitFor(async () => compute.list()[0]?.agentAlive, 60_000, 'agent alive again');
    const second = compute.list()[0]!;
    expect(second.agentPid).not.toBe(first.agentPid);

    await compute.rebootInstance(REGION, 'local-vm-103');
    await waitFor(
      async () => {
        const vm = compute.list()[0];
        return vm?.agentAlive && vm.agentPid !== second.agentPid;
      },
      60_000,
      'a new agent after reboot',
    );
    expect(await stateOf(compute, 'local-vm-103')).toBe('running');
    expect(isAlive(second.agentPid!)).toBe(false);
  });

  it('a reopened provider remembers the pool and resumes the VMs that were running', async () => {
    fixture = await computeFixture();
    let compute: LocalCompute = await fixture.open();
    await compute.launchInstance(REGION, spec('vm-104'));
    await compute.launchInstance(REGION, spec('vm-105'));
    await waitFor(async () => compute.list().every((vm) => vm.agentAlive), 60_000, 'both alive');
    await compute.stopInstance(REGION, 'local-vm-105');
    await waitFor(
      async () => (await stateOf(compute, 'local-vm-105')) === 'stopped',
      30_000,
      'stopped',
    );
    const pids = compute.list().map((vm) => vm.agentPid);
    await compute.close();
    for (const pid of pids) if (pid !== null) expect(isAlive(pid)).toBe(false);

    compute = await LocalCompute.open({ ...fixture.options, deferResume: true });
    expect(await stateOf(compute, 'local-vm-104')).toBe('running');
    expect(compute.list()[0]?.agentPid).toBeNull();
    compute.resumeSaved();
    expect(await stateOf(compute, 'local-vm-105')).toBe('stopped');
    await waitFor(async () => compute.list()[0]?.agentAlive, 60_000, 'vm-104 resumed');
    expect(compute.list()[1]?.agentPid).toBeNull();
    await compute.close();
  });

  it('terminate ends the processes; the instance leaves describe and cannot start again', async () => {
    fixture = await computeFixture();
    const compute = await fixture.open();
    await compute.launchInstance(REGION, spec('vm-106'));
    await waitFor(async () => compute.list()[0]?.agentAlive, 60_000, 'agent alive');
    const { agentPid } = compute.list()[0]!;
    await compute.terminateInstance(REGION, 'local-vm-106');
    expect(await stateOf(compute, 'local-vm-106')).toBe('shutting-down');
    await waitFor(async () => compute.list()[0]?.state === 'terminated', 30_000, 'terminated');
    expect(await stateOf(compute, 'local-vm-106')).toBeUndefined();
    expect(isAlive(agentPid!)).toBe(false);
    await expect(compute.startInstance(REGION, 'local-vm-106')).rejects.toMatchObject({
      code: 'WRONG_STATE',
    });
  });
});
