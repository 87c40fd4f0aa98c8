// The control endpoint's faults for the chaos suite: EC2 errors armed on start and launch,
// agents restarted as systemd would (but not on a crashed VM), and the stack's hooks for the
// functions host and the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComputeError } from '@vmpool/core/ports';
import type { LocalCompute } from '../../src/compute/index';
import {
  startControlServer,
  type ControlServer,
  type StackFaultHooks,
} from '../../src/stack/control-server';
import { computeFixture, waitFor, type ComputeFixture } from '../compute/fixture';

const POOL = { Project: 'gymnastics-graphics', ManagedBy: 'vm-pool-manager' };
const REGION = 'us-east-1';
const launchSpec = (vmId: string, clientToken: string) => ({
  amiId: 'ami-0123456789abcdef0',
  instanceType: 't3.large',
  subnetId: '',
  securityGroupId: '',
  keyPairName: '',
  instanceProfile: '',
  userData: '',
  tags: { ...POOL, VmId: vmId },
  clientToken,
});

describe('control endpoint faults', { timeout: 120_000 }, () => {
  let fixture: ComputeFixture;
  let compute: LocalCompute;
  let control: ControlServer;
  let bare: ControlServer;
  const calls: string[] = [];
  const hooks: StackFaultHooks = {
    crashFunctionsHost: async (restartAfterMs) => {
      calls.push(`crash ${restartAfterMs}`);
      return calls.filter((call) => call.startsWith('crash')).length === 1;
    },
    startFunctionsHost: async () => {
      calls.push('start');
      return true;
    },
    restartDatabase: async (downMs) => {
      calls.push(`restart database ${downMs}`);
    },
  };

  beforeAll(async () => {
    fixture = await computeFixture({ agentRestartMs: 300 });
    compute = await fixture.open();
    await compute.launchInstance(REGION, launchSpec('vm-311', 'faults-vm-311'));
    await waitFor(() => compute.list()[0]?.agentAlive, 60_000, 'agent alive');
    control = await startControlServer(compute, 0, '127.0.0.1', hooks);
    bare = await startControlServer(compute, 0);
  }, 90_000);

  afterAll(async () => {
    await control?.stop();
    await bare?.stop();
    await fixture?.cleanup();
  });

  const call = (path: string, method = 'POST', body?: unknown, server = control) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const computeError = (work: Promise<unknown>) =>
    work.then(
      () => null,
      (error: unknown) => (error instanceof ComputeError ? error : null),
    );

  it('arms EC2 errors on start and launch with the codes EC2 gives, then disarms them', async () => {
    const bad = await call('/__local/ec2/faults', 'POST', { op: 'stop', error: 'Nope', count: 0 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(
      /op must be.*error must be.*count/,
    );

    const armed = await call('/__local/ec2/faults', 'POST', {
      op: 'start',
      error: 'RequestLimitExceeded',
      count: 2,
    });
    expect(armed.status).toBe(200);
    expect(await (await call('/__local/ec2/faults', 'GET')).json()).toEqual([
      { op: 'start', error: 'RequestLimitExceeded', remaining: 2 },
    ]);
    const instanceId = compute.list()[0]?.instanceId ?? '';
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const error = await computeError(compute.startInstance(REGION, instanceId));
      expect(error).toMatchObject({ code: 'THROTTLED', providerCode: 'RequestLimitExceeded' });
      expect(error?.retryable).toBe(true);
    }
    // the third call goes through (the instance runs already: nothing to do)
    await expect(compute.startInstance(REGION, instanceId)).resolves.toBeUndefined();

    await call('/__local/ec2/faults', 'POST', {
      op: 'launch',
      error: 'InsufficientInstanceCapacity',
      count: 5,
    });
    const capacity = await computeError(
      compute.launchInstance(REGION, launchSpec('vm-312', 'faults-vm-312')),
    );
    expect(capacity).toMatchObject({
      code: 'CAPACITY',
      providerCode: 'InsufficientInstanceCapacity',
    });
    expect((await call('/__local/ec2/faults', 'DELETE')).status).toBe(200);
    expect(await (await call('/__local/ec2/faults', 'GET')).json()).toEqual([]);
    expect(compute.list().map((vm) => vm.vmId)).toEqual(['vm-311']);
  });

  it('restarts a killed agent as systemd would, but not the agent of a crashed VM', async () => {
    const before = compute.list()[0]?.agentPid;
    expect((await call('/__local/vms/vm-311/kill-agent')).status).toBe(200);
    await waitFor(
      () => {
        const vm = compute.list()[0];
        return vm?.agentAlive === true && vm.agentPid !== before;
      },
      60_000,
      'agent restarted',
    );

    expect((await call('/__local/vms/vm-311/crash')).status).toBe(200);
    await waitFor(() => compute.list()[0]?.agentAlive === false, 10_000, 'agent dead');
    // well past the restart delay, the hung VM still has no agent
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(compute.list()[0]?.agentAlive).toBe(false);
    // a reboot brings it back
    await compute.rebootInstance(REGION, compute.list()[0]?.instanceId ?? '');
    await waitFor(() => compute.list()[0]?.agentAlive, 60_000, 'agent back after reboot');
  });

  it('kills and starts the functions host and restarts the database through the hooks', async () => {
    expect(
      (await call('/__local/functions-host/crash', 'POST', { restartAfterMs: -1 })).status,
    ).toBe(400);
    const crashed = await call('/__local/functions-host/crash', 'POST', { restartAfterMs: 500 });
    expect(crashed.status).toBe(200);
    expect(await crashed.json()).toEqual({ killed: true, restartAfterMs: 500 });
    expect((await call('/__local/functions-host/crash', 'POST', {})).status).toBe(409);
    expect((await call('/__local/functions-host/start')).status).toBe(200);
    expect((await call('/__local/rtdb/restart', 'POST', { downMs: 250 })).status).toBe(200);
    expect((await call('/__local/rtdb/restart', 'POST', { downMs: 'soon' })).status).toBe(400);
    expect(calls).toEqual(['crash 500', 'crash null', 'start', 'restart database 250']);
    // a control endpoint without hooks has no such routes
    expect((await call('/__local/functions-host/crash', 'POST', {}, bare)).status).toBe(404);
  });
});
