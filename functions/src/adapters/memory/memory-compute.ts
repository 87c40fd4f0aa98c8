import type { Ec2State } from '@vmpool/core';
import {
  ComputeError,
  type Clock,
  type ComputeInstance,
  type ComputePort,
  type InstanceStatusChecks,
  type LaunchSpec,
} from '@vmpool/core/ports';

export interface MemoryComputeOptions {
  clock: Clock;
  /** How long pending, stopping and shutting-down last (default 0: settled at the next look). */
  transitionMs?: number;
  /** Instances per describe page; describe walks every page as EC2's paginator does. */
  pageSize?: number;
}

interface StoredInstance {
  instance: ComputeInstance;
  /** The state an ongoing transition ends in, and when. */
  settle: { to: Ec2State; at: number } | null;
  clientToken: string | null;
  /** Status checks failed by `impair` (issue 12) until a reboot, stop or terminate. */
  impaired: { instance: boolean; system: boolean } | null;
}

export type ComputeMethod = keyof ComputePort;

/**
 * An in-memory cloud with EC2's semantics: calls return at once and the instance passes
 * through pending, stopping or shutting-down; a public IP is assigned on every start (no
 * elastic IPs), launches are idempotent by client token, wrong states are WRONG_STATE errors.
 * It counts every call, per method and per region, for the reconcile benchmark.
 */
export class MemoryCompute implements ComputePort {
  readonly calls: Record<ComputeMethod, number> = {
    describePoolInstances: 0,
    startInstance: 0,
    stopInstance: 0,
    rebootInstance: 0,
    launchInstance: 0,
    terminateInstance: 0,
    tagInstance: 0,
    describeInstanceStatus: 0,
  };
  /** Describe pages fetched, the unit EC2 bills API calls in. */
  describePages = 0;
  private readonly instances = new Map<string, StoredInstance>();
  private nextId = 1;
  private nextIp = 1;

  constructor(private readonly options: MemoryComputeOptions) {}

  /** Adds an instance as if it had been created outside vmpool (for adoption and setup). */
  seed(input: {
    region: string;
    state: 'running' | 'stopped';
    tags: Record<string, string>;
    instanceType?: string;
  }): ComputeInstance {
    const instance = this.create(input.region, input.instanceType ?? 't3.large', input.tags);
    instance.state = input.state;
    instance.publicIp = input.state === 'running' ? this.newIp() : null;
    return { ...instance, tags: { ...instance.tags } };
  }

  /** The instance as the cloud sees it now (settling due transitions first). */
  get(instanceId: string): ComputeInstance | undefined {
    const stored = this.instances.get(instanceId);
    if (!stored) return undefined;
    this.settle(stored);
    return { ...stored.instance, tags: { ...stored.instance.tags } };
  }

  totalCalls(): number {
    return Object.values(this.calls).reduce((sum, count) => sum + count, 0);
  }

  resetCalls(): void {
    for (const method of Object.keys(this.calls) as ComputeMethod[]) this.calls[method] = 0;
    this.describePages = 0;
  }

  async describePoolInstances(
    region: string,
    poolTags: Record<string, string>,
  ): Promise<ComputeInstance[]> {
    this.calls.describePoolInstances += 1;
    // Terminated instances are left out, as the EC2 adapter's state filter does.
    const matching = [...this.instances.values()].filter((stored) => {
      this.settle(stored);
      return (
        stored.instance.region === region &&
        stored.instance.state !== 'terminated' &&
        Object.entries(poolTags).every(([key, value]) => stored.instance.tags[key] === value)
      );
    });
    const pageSize = this.options.pageSize ?? 1000;
    this.describePages += Math.max(1, Math.ceil(matching.length / pageSize));
    return matching.map((stored) => ({ ...stored.instance, tags: { ...stored.instance.tags } }));
  }

  async startInstance(region: string, instanceId: string): Promise<void> {
    this.calls.startInstance += 1;
    const stored = this.find(region, instanceId);
    const state = stored.instance.state;
    if (state === 'running' || state === 'pending') return;
    if (state !== 'stopped') {
      throw this.wrongState(instanceId, state, 'start');
    }
    this.begin(stored, 'pending', 'running');
    stored.instance.publicIp = this.newIp();
    // As EC2: LaunchTime is the time of the last start.
    stored.instance.launchTime = this.options.clock.now();
  }

  async stopInstance(region: string, instanceId: string): Promise<void> {
    this.calls.stopInstance += 1;
    const stored = this.find(region, instanceId);
    const state = stored.instance.state;
    if (state === 'stopped' || state === 'stopping') return;
    if (state !== 'running' && state !== 'pending') {
      throw this.wrongState(instanceId, state, 'stop');
    }
    this.begin(stored, 'stopping', 'stopped');
    stored.instance.publicIp = null;
    stored.impaired = null;
  }

  async rebootInstance(region: string, instanceId: string): Promise<void> {
    this.calls.rebootInstance += 1;
    const stored = this.find(region, instanceId);
    if (stored.instance.state !== 'running') {
      throw this.wrongState(instanceId, stored.instance.state, 'reboot');
    }
    stored.impaired = null;
  }

  async launchInstance(region: string, spec: LaunchSpec): Promise<ComputeInstance> {
    this.calls.launchInstance += 1;
    const earlier = [...this.instances.values()].find(
      (stored) => stored.clientToken === spec.clientToken && stored.instance.region === region,
    );
    if (earlier) return { ...earlier.instance, tags: { ...earlier.instance.tags } };
    if (!/^ami-[0-9a-f]{8,17}$/.test(spec.amiId)) {
      throw new ComputeError(
        'INVALID_CONFIG',
        `Invalid AMI id ${spec.amiId}`,
        'InvalidAMIID.Malformed',
      );
    }
    const instance = this.create(region, spec.instanceType, spec.tags);
    const stored = this.instances.get(instance.instanceId);
    if (!stored) throw new Error('memory compute lost an instance it just created');
    stored.clientToken = spec.clientToken;
    this.begin(stored, 'pending', 'running');
    stored.instance.publicIp = this.newIp();
    return { ...stored.instance, tags: { ...stored.instance.tags } };
  }

  async terminateInstance(region: string, instanceId: string): Promise<void> {
    this.calls.terminateInstance += 1;
    const stored = this.find(region, instanceId);
    if (stored.instance.state === 'terminated' || stored.instance.state === 'shutting-down') return;
    this.begin(stored, 'shutting-down', 'terminated');
    stored.instance.publicIp = null;
    stored.impaired = null;
  }

  async tagInstance(region: string, instanceId: string, tags: Record<string, string>) {
    this.calls.tagInstance += 1;
    const stored = this.find(region, instanceId);
    stored.instance.tags = { ...stored.instance.tags, ...tags };
  }

  // --- status checks (issue 12)
  /**
   * EC2's status checks: `ok` while running (unless impaired), `not-applicable` otherwise; ids
   * it does not know (or of another region) are left out, as the EC2 adapter does.
   */
  async describeInstanceStatus(
    region: string,
    instanceIds: string[],
  ): Promise<InstanceStatusChecks[]> {
    this.calls.describeInstanceStatus += 1;
    const found: InstanceStatusChecks[] = [];
    for (const instanceId of instanceIds) {
      const stored = this.instances.get(instanceId);
      if (!stored || stored.instance.region !== region) continue;
      this.settle(stored);
      const running = stored.instance.state === 'running';
      const value = (failed: boolean | undefined) =>
        !running ? 'not-applicable' : failed === true ? 'impaired' : 'ok';
      found.push({
        instanceId,
        state: stored.instance.state,
        instanceStatus: value(stored.impaired?.instance),
        systemStatus: value(stored.impaired?.system),
      });
    }
    return found;
  }

  /** Fails a running instance's status checks (a hung guest, or a broken host) until a reboot, stop or terminate. */
  impair(instanceId: string, which: { instance?: boolean; system?: boolean } = { instance: true }) {
    const stored = this.instances.get(instanceId);
    if (!stored) throw new Error(`memory compute: no instance ${instanceId}`);
    stored.impaired = { instance: which.instance === true, system: which.system === true };
  }
  // --- end status checks

  private create(region: string, instanceType: string, tags: Record<string, string>) {
    const instanceId = `i-${(0x10000000 + this.nextId++).toString(16).padStart(17, '0')}`;
    const instance: ComputeInstance = {
      instanceId,
      region,
      state: 'pending',
      publicIp: null,
      privateIp: `10.0.${Math.floor(this.nextId / 250)}.${this.nextId % 250}`,
      publicDns: null,
      instanceType,
      availabilityZone: `${region}a`,
      launchTime: this.options.clock.now(),
      tags: { ...tags },
    };
    this.instances.set(instanceId, { instance, settle: null, clientToken: null, impaired: null });
    return instance;
  }

  private find(region: string, instanceId: string): StoredInstance {
    const stored = this.instances.get(instanceId);
    if (!stored || stored.instance.region !== region) {
      throw new ComputeError(
        'NOT_FOUND',
        `The instance ID '${instanceId}' does not exist`,
        'InvalidInstanceID.NotFound',
      );
    }
    this.settle(stored);
    return stored;
  }

  private begin(stored: StoredInstance, now: Ec2State, to: Ec2State): void {
    stored.instance.state = now;
    stored.settle = { to, at: this.options.clock.now() + (this.options.transitionMs ?? 0) };
  }

  private settle(stored: StoredInstance): void {
    if (stored.settle && this.options.clock.now() >= stored.settle.at) {
      stored.instance.state = stored.settle.to;
      stored.settle = null;
    }
  }

  private newIp(): string {
    const n = this.nextIp++;
    return `198.51.${100 + Math.floor(n / 250)}.${(n % 250) + 1}`;
  }

  private wrongState(instanceId: string, state: Ec2State, verb: string): ComputeError {
    return new ComputeError(
      'WRONG_STATE',
      `The instance '${instanceId}' is not in a state from which it can be ${verb}ed (${state})`,
      'IncorrectInstanceState',
    );
  }
}
