// The stack's control endpoint over a real local VM: list, kill-agent, OBS switch, bad routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCompute } from '../../src/compute/index';
import { startControlServer, type ControlServer } from '../../src/stack/control-server';
import { computeFixture, waitFor, type ComputeFixture } from '../compute/fixture';

const POOL = { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' };

describe('control endpoint', { timeout: 90_000 }, () => {
  let fixture: ComputeFixture;
  let compute: LocalCompute;
  let control: ControlServer;

  beforeAll(async () => {
    fixture = await computeFixture();
    compute = await fixture.open();
    await compute.launchInstance('us-east-1', {
      amiId: 'ami-0123456789abcdef0',
      instanceType: 't3.large',
      subnetId: '',
      securityGroupId: '',
      keyPairName: '',
      instanceProfile: '',
      userData: '',
      tags: { ...POOL, VmId: 'vm-301' },
      clientToken: 'control-vm-301',
    });
    await waitFor(() => compute.list()[0]?.agentAlive, 60_000, 'agent alive');
    control = await startControlServer(compute, 0);
  }, 90_000);

  afterAll(async () => {
    await control?.stop();
    await fixture?.cleanup();
  });

  const post = (path: string, body?: unknown) =>
    fetch(`${control.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('lists the VMs with addresses and process ids', async () => {
    const response = await fetch(`${control.url}/__local/vms`);
    expect(response.status).toBe(200);
    const [vm] = (await response.json()) as {
      vmId: string;
      agentAlive: boolean;
      showServerUrl: string;
    }[];
    expect(vm).toMatchObject({ vmId: 'vm-301', agentAlive: true });
    expect(vm?.showServerUrl).toMatch(/^http:\/\/127\.\d+\.\d+\.\d+:3003$/);
  });

  it('switches OBS on the VM show server', async () => {
    const response = await post('/__local/vms/vm-301/obs', { connected: false });
    expect(response.status).toBe(200);
    const vm = compute.list()[0];
    const status = (await (await fetch(`${vm?.showServerUrl}/api/status`)).json()) as {
      obsConnected: boolean;
    };
    expect(status.obsConnected).toBe(false);
    expect((await post('/__local/vms/vm-301/obs', { connected: 'no' })).status).toBe(400);
  });

  it('kills the agent once, then answers 409; unknown VMs and routes are 404', async () => {
    const first = await post('/__local/vms/vm-301/kill-agent');
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      vmId: 'vm-301',
      killed: true,
      pid: expect.any(Number),
    });
    await waitFor(() => compute.list()[0]?.agentAlive === false, 10_000, 'agent dead');
    expect((await post('/__local/vms/vm-301/kill-agent')).status).toBe(409);
    expect((await post('/__local/vms/vm-999/kill-agent')).status).toBe(404);
    expect((await post('/__local/vms/not-a-vm/kill-agent')).status).toBe(404);
    expect((await fetch(`${control.url}/__local/vms/vm-301/kill-agent`)).status).toBe(404);
  });
  it('crashes every process of a VM at once; the instance stays running (issue 12)', async () => {
    await waitFor(() => compute.list()[0]?.showServerAlive, 10_000, 'show server alive');
    const vm = compute.list()[0];
    const response = await post('/__local/vms/vm-301/crash');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ vmId: 'vm-301', crashed: true });
    await waitFor(
      () => compute.list()[0]?.showServerAlive === false && !compute.list()[0]?.agentAlive,
      10_000,
      'VM processes dead',
    );
    const reached = await fetch(`${vm?.showServerUrl}/api/status`, {
      signal: AbortSignal.timeout(2000),
    }).then(
      () => true,
      () => false,
    );
    expect(reached).toBe(false);
    const [described] = await compute.describePoolInstances('us-east-1', POOL);
    expect(described?.state).toBe('running');
    expect((await post('/__local/vms/vm-301/crash')).status).toBe(409);
    expect((await post('/__local/vms/vm-999/crash')).status).toBe(404);
  });
});
