import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EC2_EVENTS_KEY_HEADER, EC2_STATE_CHANGE_DETAIL_TYPE, paths } from '@vmpool/core';
import { manualClock } from '@vmpool/core/ports';
import { MemoryCompute } from '../src/adapters/memory';
import { createEc2EventsHandler } from '../src/ec2-events';
import { applyEc2StateChange } from '../src/usecases/events/ec2-state-change';
import { testDeps, T0 } from './support/deps';
import { readVm, REGION, seedVm, writeConfig } from './support/fixtures';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();
const KEY = 'k'.repeat(48);
let server: Server | null = null;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

async function setup(key: () => Promise<string> = async () => KEY) {
  const clock = manualClock(T0);
  const compute = new MemoryCompute({ clock });
  const deps = testDeps(env.admin.db, { clock, compute });
  await writeConfig(env.admin.db, { minWarmVMs: 0 });
  const handler = createEc2EventsHandler({
    key,
    apply: (change) => applyEc2StateChange(deps, change),
    logger: deps.logger,
  });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const post = (
    body: unknown,
    headers: Record<string, string> = { [EC2_EVENTS_KEY_HEADER]: KEY },
  ) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  return { clock, compute, deps, url, post };
}

/** The event EventBridge posts (the whole event is the body). */
function stateChange(instanceId: string, state: string, id = `evt-${instanceId}-${state}`) {
  return {
    version: '0',
    id,
    'detail-type': EC2_STATE_CHANGE_DETAIL_TYPE,
    source: 'aws.ec2',
    account: '111122223333',
    time: '2027-01-15T12:00:00Z',
    region: REGION,
    resources: [`arn:aws:ec2:${REGION}:111122223333:instance/${instanceId}`],
    detail: { 'instance-id': instanceId, state },
  };
}

describe('EC2 state changes from EventBridge', () => {
  it('a pool VM stopped outside vmpool is stopped in RTDB at once; a duplicate changes nothing', async () => {
    const { compute, post } = await setup();
    const vm = await seedVm(env.admin.db, compute, 'vm-001', 'available', T0);
    await compute.stopInstance(REGION, vm.instanceId);

    const first = await post(stateChange(vm.instanceId, 'stopped'));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      outcome: 'synced',
      vmId: 'vm-001',
      status: 'stopped',
      ec2State: 'stopped',
      changed: 1,
    });
    const stopped = await readVm(env.admin.db, 'vm-001');
    expect(stopped).toMatchObject({ status: 'stopped', ec2State: 'stopped' });
    expect(stopped?.publicIp ?? null).toBeNull();

    // At-least-once delivery: the same event again is a no-op.
    const again = await post(stateChange(vm.instanceId, 'stopped'));
    expect(await again.json()).toMatchObject({ outcome: 'synced', status: 'stopped', changed: 0 });
    expect(await readVm(env.admin.db, 'vm-001')).toEqual(stopped);
  });

  it('a start outside vmpool brings the new public IP in with the state', async () => {
    const { compute, post } = await setup();
    const vm = await seedVm(env.admin.db, compute, 'vm-001', 'stopped', T0);
    await compute.startInstance(REGION, vm.instanceId);
    const ip = compute.get(vm.instanceId)?.publicIp;
    expect(ip).toMatch(/^198\.51\./);

    const response = await post(stateChange(vm.instanceId, 'running'));
    expect(await response.json()).toMatchObject({ outcome: 'synced', ec2State: 'running' });
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      ec2State: 'running',
      publicIp: ip,
      status: 'starting',
    });
  });

  it('trusts EC2 over the event: a late "running" for a stopped instance leaves it stopped', async () => {
    const { compute, post } = await setup();
    const vm = await seedVm(env.admin.db, compute, 'vm-001', 'available', T0);
    await compute.stopInstance(REGION, vm.instanceId);
    const response = await post(stateChange(vm.instanceId, 'running', 'late'));
    expect(await response.json()).toMatchObject({ status: 'stopped', ec2State: 'stopped' });
  });

  it('ignores instances that are not pool VMs without calling EC2', async () => {
    const { compute, post } = await setup();
    await seedVm(env.admin.db, compute, 'vm-001', 'available', T0);
    compute.resetCalls();
    const response = await post(stateChange('i-0123456789abcdef0', 'stopped'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      outcome: 'ignored',
      reason: 'instance i-0123456789abcdef0 is not a pool VM',
    });
    expect(compute.totalCalls()).toBe(0);
  });

  it('refuses a missing or wrong key, other methods and bodies that are not state changes', async () => {
    const { compute, post, url } = await setup();
    const vm = await seedVm(env.admin.db, compute, 'vm-001', 'available', T0);
    await compute.stopInstance(REGION, vm.instanceId);
    const before = await readVm(env.admin.db, 'vm-001');

    expect((await post(stateChange(vm.instanceId, 'stopped'), {})).status).toBe(401);
    const wrong = await post(stateChange(vm.instanceId, 'stopped'), {
      [EC2_EVENTS_KEY_HEADER]: `${KEY}x`,
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    expect(await readVm(env.admin.db, 'vm-001')).toEqual(before);

    const get = await fetch(url, { headers: { [EC2_EVENTS_KEY_HEADER]: KEY } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');

    const bad = await post({ source: 'aws.s3', detail: { 'instance-id': 'x', state: 'melted' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: {
        code: 'INVALID_EVENT',
        message: 'Not an EC2 instance state-change event',
        details: [
          'source: must be "aws.ec2"',
          `detail-type: must be "${EC2_STATE_CHANGE_DETAIL_TYPE}"`,
          'id: must be the event id',
          'region: must be an AWS region',
          'time: must be an ISO 8601 time',
          'detail.instance-id: must be an EC2 instance id (i-…)',
          'detail.state: must be one of pending, running, stopping, stopped, shutting-down, terminated',
        ],
      },
    });
    expect(await readVm(env.admin.db, 'vm-001')).toEqual(before);
  });

  it('answers 503 (EventBridge retries) while the key or the pool config cannot be read', async () => {
    const unavailable = await setup(async () => {
      throw new Error('AccessDenied');
    });
    const response = await unavailable.post(stateChange('i-0123456789abcdef0', 'stopped'));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'KEY_UNAVAILABLE' } });
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = null;

    const { compute, post } = await setup();
    const vm = await seedVm(env.admin.db, compute, 'vm-001', 'available', T0);
    await env.admin.db.ref(paths.poolConfig()).set({ maxTotalVMs: -1 });
    const broken = await post(stateChange(vm.instanceId, 'stopped'));
    expect(broken.status).toBe(503);
    expect(await broken.json()).toMatchObject({
      error: { code: 'NOT_APPLIED', message: expect.stringMatching(/vmPool\/config is invalid/) },
    });
  });

  it('removes the record of a terminating VM once EC2 reports it terminated', async () => {
    const { compute, deps } = await setup();
    const vm = await seedVm(env.admin.db, compute, 'vm-001', 'stopped', T0, {
      status: 'terminating',
    });
    await compute.terminateInstance(REGION, vm.instanceId);
    const outcome = await applyEc2StateChange(deps, {
      eventId: 'e1',
      region: REGION,
      instanceId: vm.instanceId,
      state: 'terminated',
      time: T0,
    });
    expect(outcome).toMatchObject({ outcome: 'synced', status: null });
    expect(await readVm(env.admin.db, 'vm-001')).toBeNull();
  });
});
