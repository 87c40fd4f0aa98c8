/**
 * The compute contract: one suite that every ComputePort adapter (EC2 on moto, in-memory, the
 * local provider) must pass, so that the control plane sees the same cloud whichever runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isComputeError,
  type ComputeErrorCode,
  type ComputeInstance,
  type ComputePort,
  type LaunchSpec,
} from '@vmpool/core/ports';

export interface ComputeContractSubject {
  compute: ComputePort;
  region: string;
  poolTags: Record<string, string>;
  /** A launch spec that works on this provider; tags already include `poolTags`. */
  launchSpec(overrides?: Partial<LaunchSpec>): LaunchSpec;
  teardown(): Promise<void>;
}

/**
 * EC2 behaviour that some stand-ins do not reproduce. A test of a capability the provider lacks
 * is not registered at all; the adapter's own tests must then cover that path another way
 * (e.g. moto ignores ClientToken and never refuses a state change).
 */
export interface ComputeContractOptions {
  /** a second launch with the same clientToken returns the first instance */
  idempotentLaunch?: boolean;
  /** starting a terminated instance fails with WRONG_STATE */
  enforcesInstanceState?: boolean;
  /** tagging an unknown instance fails with NOT_FOUND */
  tagsCheckInstanceExists?: boolean;
  /** instances launched to prove describe walks every page; default 12 */
  paginationInstances?: number;
  /** how long a transition (pending → running, stopping → stopped…) may take; default 20 s */
  settleTimeoutMs?: number;
  /** between polls while waiting for a transition; default 200 ms */
  pollIntervalMs?: number;
}

const MISSING_INSTANCE_ID = 'i-0000000000000dead';

export function describeComputeContract(
  name: string,
  setup: () => Promise<ComputeContractSubject>,
  options: ComputeContractOptions = {},
): void {
  const settleTimeoutMs = options.settleTimeoutMs ?? 20_000;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const testTimeoutMs = settleTimeoutMs * 4 + 10_000;
  let launches = 0;

  describe(`compute contract: ${name}`, () => {
    let subject: ComputeContractSubject;

    beforeAll(async () => {
      subject = await setup();
    }, 120_000);

    afterAll(async () => {
      await subject?.teardown();
    }, 60_000);

    const describePool = () =>
      subject.compute.describePoolInstances(subject.region, subject.poolTags);

    async function findInPool(instanceId: string): Promise<ComputeInstance | undefined> {
      return (await describePool()).find((instance) => instance.instanceId === instanceId);
    }

    /** Polls describe until `accept` holds for the instance (or its absence). */
    async function waitFor(
      instanceId: string,
      accept: (instance: ComputeInstance | undefined) => boolean,
      what: string,
    ): Promise<ComputeInstance | undefined> {
      const deadline = Date.now() + settleTimeoutMs;
      let last: ComputeInstance | undefined;
      for (;;) {
        last = await findInPool(instanceId);
        if (accept(last)) return last;
        if (Date.now() > deadline) {
          throw new Error(
            `${instanceId} did not become ${what} within ${settleTimeoutMs} ms; last seen ${JSON.stringify(last)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
      }
    }

    const running = (id: string) => waitFor(id, (i) => i?.state === 'running', 'running');

    async function launch(overrides: Partial<LaunchSpec> = {}): Promise<ComputeInstance> {
      launches += 1;
      const vmId = `vm-contract-${launches}`;
      const base = subject.launchSpec();
      return subject.compute.launchInstance(
        subject.region,
        subject.launchSpec({
          clientToken: `contract-${name.replace(/[^A-Za-z0-9]/g, '')}-${launches}-${Date.now()}`,
          tags: { ...base.tags, VmId: vmId },
          ...overrides,
        }),
      );
    }

    async function expectComputeError(call: Promise<unknown>, code: ComputeErrorCode, action = '') {
      const error = await call.then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(
        isComputeError(error),
        `${action}: expected a ComputeError ${code}, got ${String(error)}`,
      ).toBe(true);
      if (isComputeError(error)) expect(error.code).toBe(code);
      return error;
    }

    it(
      'launches with the pool tags and the VmId, and describe finds it running with its IPs',
      async () => {
        const launched = await launch();
        expect(launched.instanceId).toMatch(/\S/);
        expect(launched.region).toBe(subject.region);
        expect(launched.tags).toMatchObject(subject.poolTags);
        expect(launched.tags.VmId).toMatch(/^vm-contract-\d+$/);

        const seen = await running(launched.instanceId);
        expect(seen?.tags).toMatchObject({ ...subject.poolTags, VmId: launched.tags.VmId });
        expect(seen?.region).toBe(subject.region);
        expect(seen?.instanceType).toBe(subject.launchSpec().instanceType);
        expect(seen?.publicIp ?? seen?.privateIp).toEqual(expect.any(String));
      },
      testTimeoutMs,
    );

    it(
      'describes only instances carrying every pool tag',
      async () => {
        const member = await launch();
        const base = subject.launchSpec();
        const firstKey = Object.keys(subject.poolTags)[0] ?? 'Project';
        const outsider = await launch({
          tags: { ...base.tags, [firstKey]: 'someone-else', VmId: 'vm-outsider' },
        });
        await running(member.instanceId);
        const pool = await describePool();
        expect(pool.map((i) => i.instanceId)).toContain(member.instanceId);
        expect(pool.map((i) => i.instanceId)).not.toContain(outsider.instanceId);
        for (const instance of pool) expect(instance.tags).toMatchObject(subject.poolTags);
        await subject.compute.terminateInstance(subject.region, outsider.instanceId);
      },
      testTimeoutMs,
    );

    it(
      'stops, starts and reboots an instance',
      async () => {
        const { instanceId } = await launch();
        await running(instanceId);

        await subject.compute.stopInstance(subject.region, instanceId);
        await waitFor(instanceId, (i) => i?.state === 'stopped', 'stopped');

        await subject.compute.startInstance(subject.region, instanceId);
        const restarted = await running(instanceId);
        expect(restarted?.publicIp ?? restarted?.privateIp).toEqual(expect.any(String));

        await subject.compute.rebootInstance(subject.region, instanceId);
        await running(instanceId);
      },
      testTimeoutMs,
    );

    it(
      'terminates an instance, after which describe no longer lists it',
      async () => {
        const { instanceId } = await launch();
        await running(instanceId);
        await subject.compute.terminateInstance(subject.region, instanceId);
        await waitFor(instanceId, (i) => i === undefined, 'gone from describe');
        for (const instance of await describePool()) expect(instance.state).not.toBe('terminated');
      },
      testTimeoutMs,
    );

    it(
      'adds tags that describe then shows',
      async () => {
        const { instanceId } = await launch();
        await subject.compute.tagInstance(subject.region, instanceId, { Capability: '4k' });
        const seen = await waitFor(instanceId, (i) => i?.tags.Capability === '4k', 'tagged');
        expect(seen?.tags).toMatchObject(subject.poolTags);
      },
      testTimeoutMs,
    );

    it(
      'classifies an unknown instance as NOT_FOUND, not retryable, for every action',
      async () => {
        const { compute, region } = subject;
        const calls: [string, () => Promise<void>][] = [
          ['start', () => compute.startInstance(region, MISSING_INSTANCE_ID)],
          ['stop', () => compute.stopInstance(region, MISSING_INSTANCE_ID)],
          ['reboot', () => compute.rebootInstance(region, MISSING_INSTANCE_ID)],
          ['terminate', () => compute.terminateInstance(region, MISSING_INSTANCE_ID)],
        ];
        if (options.tagsCheckInstanceExists ?? true) {
          calls.push(['tag', () => compute.tagInstance(region, MISSING_INSTANCE_ID, { A: 'x' })]);
        }
        for (const [action, call] of calls) {
          const error = await expectComputeError(call(), 'NOT_FOUND', action);
          if (isComputeError(error)) expect(error.retryable).toBe(false);
        }
      },
      testTimeoutMs,
    );

    it(
      'walks every page of describe: all instances, each once',
      async () => {
        const count = options.paginationInstances ?? 12;
        const launched: string[] = [];
        for (let n = 0; n < count; n += 1) launched.push((await launch()).instanceId);
        const ids = (await describePool()).map((instance) => instance.instanceId);
        for (const id of launched) expect(ids).toContain(id);
        expect(new Set(ids).size).toBe(ids.length);
      },
      testTimeoutMs * 2,
    );

    // --- status checks (issue 12)
    it(
      'reports status checks: passing or initializing while running, not applicable when stopped, unknown ids left out',
      async () => {
        const { instanceId } = await launch();
        await running(instanceId);
        const [live, ...others] = await subject.compute.describeInstanceStatus(subject.region, [
          instanceId,
          MISSING_INSTANCE_ID,
        ]);
        expect(others).toEqual([]);
        expect(live).toMatchObject({ instanceId, state: 'running' });
        expect(['ok', 'initializing']).toContain(live?.instanceStatus);
        expect(['ok', 'initializing']).toContain(live?.systemStatus);

        await subject.compute.stopInstance(subject.region, instanceId);
        await waitFor(instanceId, (i) => i?.state === 'stopped', 'stopped');
        expect(await subject.compute.describeInstanceStatus(subject.region, [instanceId])).toEqual([
          {
            instanceId,
            state: 'stopped',
            instanceStatus: 'not-applicable',
            systemStatus: 'not-applicable',
          },
        ]);
        expect(await subject.compute.describeInstanceStatus(subject.region, [])).toEqual([]);
      },
      testTimeoutMs,
    );
    // --- end status checks

    if (options.idempotentLaunch ?? true) {
      it(
        'returns the first instance when a launch is retried with the same client token',
        async () => {
          const spec = subject.launchSpec({
            clientToken: `contract-idempotent-${Date.now()}`,
            tags: { ...subject.launchSpec().tags, VmId: 'vm-contract-idem' },
          });
          const first = await subject.compute.launchInstance(subject.region, spec);
          const second = await subject.compute.launchInstance(subject.region, spec);
          expect(second.instanceId).toBe(first.instanceId);
          const sameVm = (await describePool()).filter((i) => i.tags.VmId === 'vm-contract-idem');
          expect(sameVm).toHaveLength(1);
        },
        testTimeoutMs,
      );
    }

    if (options.enforcesInstanceState ?? true) {
      it(
        'refuses to start a terminated instance with WRONG_STATE, not retryable',
        async () => {
          const { instanceId } = await launch();
          await running(instanceId);
          await subject.compute.terminateInstance(subject.region, instanceId);
          await waitFor(instanceId, (i) => i === undefined, 'gone from describe');
          const error = await expectComputeError(
            subject.compute.startInstance(subject.region, instanceId),
            'WRONG_STATE',
          );
          if (isComputeError(error)) expect(error.retryable).toBe(false);
        },
        testTimeoutMs,
      );
    }
  });
}
