// The local compute provider: ComputePort over real processes. Each "instance" is a VM
// directory plus, while running, a stand-in show server and a real agent. State changes
// follow EC2: calls return at once, the instance then moves pending → running after the boot
// delay, stopping → stopped, shutting-down → terminated.
import { join } from 'node:path';
import {
  ComputeError,
  type Clock,
  type ComputeInstance,
  type ComputePort,
  type InstanceStatusChecks,
  type LaunchSpec,
  type Logger,
} from '@vmpool/core/ports';
import { isValidVmId, SHOW_SERVER_PORT } from '@vmpool/core';
import { readState, writeState, type LocalInstanceRecord } from './state-store';
import {
  isAlive,
  isVmProcess,
  journal,
  killGroup,
  sigkillGroup,
  startAgentProcess,
  startVmProcesses,
  type VmProcessSpec,
} from './vm-processes';

export interface LocalComputeOptions {
  /** JSON file that remembers the pool across restarts */
  stateFile: string;
  /** VM directories are `<vmsDir>/<vmId>` (logs, recordings, agent state) */
  vmsDir: string;
  /** the repository root: processes run `agent/src/main.ts` and the show server from it */
  repoRoot: string;
  /** what the agents connect to, e.g. `http://127.0.0.1:9000?ns=demo-vmpool` */
  databaseUrl: string;
  /** pending → running (a cold start); default 15 s */
  bootDelayMs?: number;
  /** stopping → stopped and shutting-down → terminated, after the processes are gone; default 2 s */
  stopDelayMs?: number;
  /** how long a reboot keeps the processes down; default 2 s */
  rebootDelayMs?: number;
  /**
   * How long EC2's status checks take to see a change (issue 12): `initializing` for this long
   * after a boot, and a crashed VM's instance check turns `impaired` this long after the crash
   * (EC2 checks every minute). Default 60 s.
   */
  statusCheckDelayMs?: number;
  /** extra agent flags (e.g. faster probes for tests) */
  agentArgs?: readonly string[];
  /**
   * How long a boot waits for the show server to answer before it starts the agent anyway (a
   * slow show server never keeps the agent from starting); default 60 s.
   */
  showServerReadyTimeoutMs?: number;
  /**
   * VMs get their own loopback address `<prefix>.<2..254>` (Linux routes all of 127/8 to
   * loopback), so every show server can listen on the real port 3003 and
   * `vmAddress = "<publicIp>:3003"` works as on EC2. Default `127.0.1`.
   */
  addressPrefix?: string;
  /** default 3003 */
  showServerPort?: number;
  /**
   * Leave the saved running VMs down until `resumeSaved()`: the stack powers them on once the
   * control plane watches, so their agents come up after it has adopted the instances.
   */
  deferResume?: boolean;
  /** how long terminated instances are remembered (start then fails with WRONG_STATE); default 1 h */
  terminatedRetentionMs?: number;
  /**
   * systemd's `Restart=always` with `RestartSec`: an agent that dies on a running VM is started
   * again after this long. 0 or absent: it stays dead until the VM reboots or stops and starts.
   * A VM that `crash`ed (hung) gets nothing back until it reboots.
   */
  agentRestartMs?: number;
  clock: Clock;
  logger: Logger;
}

/** What the stack and its control endpoint show about one VM. */
export interface LocalVmInfo {
  vmId: string;
  instanceId: string;
  state: ComputeInstance['state'];
  address: string;
  showServerUrl: string;
  vmDir: string;
  agentPid: number | null;
  agentAlive: boolean;
  showServerPid: number | null;
  showServerAlive: boolean;
}

export type KillAgentResult =
  { killed: true; pid: number } | { killed: false; reason: 'NOT_FOUND' | 'NOT_RUNNING' };

/** What `crash` killed: the pids of the agent and of the show server (with its OBS stand-in). */
export type CrashResult =
  { crashed: true; pids: number[] } | { crashed: false; reason: 'NOT_FOUND' | 'NOT_RUNNING' };

// EC2 faults the control endpoint can arm: the next `count` calls of an operation fail with the
// error EC2 itself gives, as the EC2 adapter classifies it (functions/src/adapters/aws).
export const EC2_FAULT_OPS = ['start', 'launch'] as const;
export type Ec2FaultOp = (typeof EC2_FAULT_OPS)[number];
export const EC2_FAULT_ERRORS = {
  RequestLimitExceeded: { code: 'THROTTLED', message: 'Request limit exceeded.' },
  InsufficientInstanceCapacity: {
    code: 'CAPACITY',
    message:
      'We currently do not have sufficient capacity in the Availability Zone you requested. Try again later.',
  },
} as const;
export type Ec2FaultError = keyof typeof EC2_FAULT_ERRORS;
export interface ArmedEc2Fault {
  op: Ec2FaultOp;
  error: Ec2FaultError;
  /** calls still to fail */
  remaining: number;
}

interface Transition {
  generation: number;
  abort: AbortController;
}

const ADDRESS_PREFIX = /^127\.\d{1,3}\.\d{1,3}$/;
const INSTANCE_PREFIX = 'local-';

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class LocalCompute implements ComputePort {
  private readonly records = new Map<string, LocalInstanceRecord>();
  private readonly transitions = new Map<string, Transition>();
  private readonly inFlight = new Set<Promise<void>>();
  private generation = 0;
  private saving: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly bootDelayMs: number;
  private readonly stopDelayMs: number;
  private readonly rebootDelayMs: number;
  private readonly addressPrefix: string;
  private readonly showServerPort: number;
  private readonly retentionMs: number;
  private readonly statusCheckDelayMs: number;
  /** When each crashed instance crashed (cleared by a reboot, stop, start or terminate). */
  private readonly crashedAt = new Map<string, number>();
  private readonly log: Logger;
  private readonly agentRestartMs: number;
  private readonly showServerReadyTimeoutMs: number;
  /** instances whose processes were `crash`ed: hung until a reboot or a stop and start */
  private readonly hung = new Set<string>();
  /** agents waiting for their systemd-style restart */
  private readonly agentRestarts = new Map<string, NodeJS.Timeout>();
  private watchdog: NodeJS.Timeout | null = null;
  private armedFaults: ArmedEc2Fault[] = [];

  private constructor(private readonly options: LocalComputeOptions) {
    this.bootDelayMs = options.bootDelayMs ?? 15_000;
    this.stopDelayMs = options.stopDelayMs ?? 2_000;
    this.rebootDelayMs = options.rebootDelayMs ?? 2_000;
    this.addressPrefix = options.addressPrefix ?? '127.0.1';
    this.showServerPort = options.showServerPort ?? SHOW_SERVER_PORT;
    this.retentionMs = options.terminatedRetentionMs ?? 3_600_000;
    this.statusCheckDelayMs = options.statusCheckDelayMs ?? 60_000;
    this.agentRestartMs = options.agentRestartMs ?? 0;
    this.showServerReadyTimeoutMs = options.showServerReadyTimeoutMs ?? 60_000;
    this.log = options.logger.child({ component: 'local-compute' });
    const errors: string[] = [];
    for (const key of [
      'bootDelayMs',
      'stopDelayMs',
      'rebootDelayMs',
      'statusCheckDelayMs',
      'agentRestartMs',
      'showServerReadyTimeoutMs',
    ] as const) {
      const value = options[key];
      if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 600_000))
        errors.push(`${key} must be an integer in 0..600000, got ${value}`);
    }
    if (!ADDRESS_PREFIX.test(this.addressPrefix))
      errors.push(`addressPrefix must look like 127.0.1, got ${this.addressPrefix}`);
    if (
      !Number.isInteger(this.showServerPort) ||
      this.showServerPort < 1 ||
      this.showServerPort > 65535
    )
      errors.push(`showServerPort must be 1..65535, got ${this.showServerPort}`);
    if (errors.length > 0) throw new Error(`local compute: ${errors.join('; ')}`);
  }

  /**
   * Loads the saved pool, cleans up processes a crashed stack left behind, and brings back
   * the VMs that were running (pending ones boot again from the start).
   */
  static async open(options: LocalComputeOptions): Promise<LocalCompute> {
    const compute = new LocalCompute(options);
    const state = await readState(options.stateFile);
    for (const record of state.instances) {
      await compute.reapLeftovers(record);
      if (record.state === 'stopping') record.state = 'stopped';
      if (record.state === 'shutting-down') {
        record.state = 'terminated';
        record.terminatedAt = options.clock.now();
      }
      compute.records.set(record.instanceId, record);
    }
    await compute.save();
    if (options.deferResume !== true) compute.resumeSaved();
    if (compute.agentRestartMs > 0) {
      compute.watchdog = setInterval(() => compute.restartDeadAgents(), 250);
      compute.watchdog.unref();
    }
    return compute;
  }

  /**
   * Brings back the VMs the saved state says are running (their processes start again) and
   * boots the pending ones. `open` does this unless `deferResume` is set.
   */
  resumeSaved(): void {
    for (const record of this.records.values()) {
      if (this.transitions.has(record.instanceId)) continue;
      if (record.state === 'running') this.resume(record);
      else if (record.state === 'pending') this.boot(record, this.bootDelayMs);
    }
  }

  // ComputePort

  async describePoolInstances(
    region: string,
    poolTags: Record<string, string>,
  ): Promise<ComputeInstance[]> {
    this.pruneTerminated();
    // Terminated instances are gone for the control plane, as with the EC2 adapter's
    // instance-state filter; they are kept a while only so that a late start gets WRONG_STATE.
    return [...this.records.values()]
      .filter((record) => record.region === region && record.state !== 'terminated')
      .filter((record) =>
        Object.entries(poolTags).every(([key, value]) => record.tags[key] === value),
      )
      .sort((a, b) => a.instanceId.localeCompare(b.instanceId))
      .map((record) => this.toInstance(record));
  }

  async startInstance(region: string, instanceId: string): Promise<void> {
    const record = this.find(region, instanceId);
    this.injectFault('start');
    if (record.state === 'running' || record.state === 'pending') return;
    if (record.state !== 'stopped') throw wrongState(record, 'start');
    this.boot(record, this.bootDelayMs);
    await this.save();
  }

  async stopInstance(region: string, instanceId: string): Promise<void> {
    const record = this.find(region, instanceId);
    if (record.state === 'stopped' || record.state === 'stopping') return;
    if (record.state !== 'running' && record.state !== 'pending') throw wrongState(record, 'stop');
    this.halt(record, 'stopping', 'stopped');
    await this.save();
  }

  async rebootInstance(region: string, instanceId: string): Promise<void> {
    const record = this.find(region, instanceId);
    if (record.state !== 'running') throw wrongState(record, 'reboot');
    this.reboot(record);
  }

  async launchInstance(region: string, spec: LaunchSpec): Promise<ComputeInstance> {
    this.assertOpen();
    this.injectFault('launch');
    const existing = [...this.records.values()].find(
      (record) => spec.clientToken !== '' && record.clientToken === spec.clientToken,
    );
    if (existing) {
      if (existing.region !== region || existing.tags.VmId !== spec.tags.VmId)
        throw new ComputeError(
          'INVALID_CONFIG',
          `client token ${spec.clientToken} was used for another launch`,
          'IdempotentParameterMismatch',
        );
      return this.toInstance(existing);
    }
    const vmId = spec.tags.VmId;
    const errors: string[] = [];
    if (!isValidVmId(vmId)) errors.push(`tag VmId must be a VM id such as vm-001, got ${vmId}`);
    if (spec.instanceType.trim() === '') errors.push('instanceType is empty');
    if (errors.length > 0)
      throw new ComputeError('INVALID_CONFIG', errors.join('; '), 'InvalidParameterValue');
    const instanceId = `${INSTANCE_PREFIX}${vmId}`;
    const clash = this.records.get(instanceId);
    if (clash && clash.state !== 'terminated')
      throw new ComputeError(
        'INVALID_CONFIG',
        `${vmId} already exists as ${instanceId} (${clash.state}); local VM ids are unique`,
        'InvalidParameterValue',
      );
    const record: LocalInstanceRecord = {
      instanceId,
      vmId: vmId as string,
      region,
      state: 'pending',
      instanceType: spec.instanceType,
      tags: { ...spec.tags },
      launchTime: this.options.clock.now(),
      clientToken: spec.clientToken === '' ? null : spec.clientToken,
      address: this.freeAddress(instanceId),
      showServerPort: this.showServerPort,
      agentPid: null,
      showServerPid: null,
      terminatedAt: null,
    };
    this.records.set(instanceId, record);
    this.boot(record, this.bootDelayMs);
    await this.save();
    this.log.info('launched', { vmId, instanceId, address: record.address });
    return this.toInstance(record);
  }

  async terminateInstance(region: string, instanceId: string): Promise<void> {
    const record = this.find(region, instanceId);
    if (record.state === 'terminated' || record.state === 'shutting-down') return;
    this.halt(record, 'shutting-down', 'terminated');
    await this.save();
  }

  async tagInstance(
    region: string,
    instanceId: string,
    tags: Record<string, string>,
  ): Promise<void> {
    const record = this.find(region, instanceId);
    record.tags = { ...record.tags, ...tags };
    await this.save();
  }

  // --- status checks (issue 12)
  /**
   * EC2's status checks as the local VMs would get them: `not-applicable` unless running,
   * `initializing` for statusCheckDelayMs after a boot, then `ok`; a crashed VM (nothing on it
   * answers) fails its instance check statusCheckDelayMs after the crash, until a reboot, stop
   * or start. The system check (the host) never fails here.
   */
  async describeInstanceStatus(
    region: string,
    instanceIds: string[],
  ): Promise<InstanceStatusChecks[]> {
    const now = this.options.clock.now();
    return instanceIds.flatMap((instanceId): InstanceStatusChecks[] => {
      const record = this.records.get(instanceId);
      if (!record || record.region !== region) return [];
      if (record.state !== 'running') {
        return [
          {
            instanceId,
            state: record.state,
            instanceStatus: 'not-applicable',
            systemStatus: 'not-applicable',
          },
        ];
      }
      const crashedAt = this.crashedAt.get(instanceId);
      const settled = now - record.launchTime >= this.statusCheckDelayMs;
      const instanceStatus =
        crashedAt !== undefined && now - crashedAt >= this.statusCheckDelayMs
          ? 'impaired'
          : settled
            ? 'ok'
            : 'initializing';
      return [
        {
          instanceId,
          state: record.state,
          instanceStatus,
          systemStatus: settled ? 'ok' : 'initializing',
        },
      ];
    });
  }
  // --- end status checks

  // Local extras: the stack's control endpoint and tests use these.

  list(): LocalVmInfo[] {
    return [...this.records.values()]
      .sort((a, b) => a.vmId.localeCompare(b.vmId))
      .map((record) => ({
        vmId: record.vmId,
        instanceId: record.instanceId,
        state: record.state,
        address: record.address,
        showServerUrl: `http://${record.address}:${record.showServerPort}`,
        vmDir: this.vmDir(record.vmId),
        agentPid: record.agentPid,
        agentAlive: record.agentPid !== null && isAlive(record.agentPid),
        showServerPid: record.showServerPid,
        showServerAlive: record.showServerPid !== null && isAlive(record.showServerPid),
      }));
  }

  /** SIGKILLs a VM's agent (and only the agent): the "VM dies under the agent" demo. */
  killAgent(vmId: string): KillAgentResult {
    const record = [...this.records.values()].find(
      (candidate) => candidate.vmId === vmId && candidate.state !== 'terminated',
    );
    if (!record) return { killed: false, reason: 'NOT_FOUND' };
    const pid = record.agentPid;
    if (pid === null || !sigkillGroup(pid)) return { killed: false, reason: 'NOT_RUNNING' };
    this.log.warn('agent killed with SIGKILL', { vmId, pid });
    return { killed: true, pid };
  }

  /**
   * SIGKILLs every process of a running VM at once (agent, show server and its OBS stand-in):
   * the instance stays `running` but nothing on it answers, like a hung instance. A reboot, or
   * a stop and start, brings the processes back.
   */
  crash(vmId: string): CrashResult {
    const record = [...this.records.values()].find(
      (candidate) => candidate.vmId === vmId && candidate.state !== 'terminated',
    );
    if (!record) return { crashed: false, reason: 'NOT_FOUND' };
    const pids = [record.agentPid, record.showServerPid].filter(
      (pid): pid is number => pid !== null && sigkillGroup(pid),
    );
    if (pids.length === 0) return { crashed: false, reason: 'NOT_RUNNING' };
    // EC2's instance status check fails once it notices (describeInstanceStatus).
    if (!this.crashedAt.has(record.instanceId)) {
      this.crashedAt.set(record.instanceId, this.options.clock.now());
    }
    // A hung instance's agent is not restarted by systemd (it is not running).
    this.hung.add(record.instanceId);
    this.log.warn('VM crashed: agent and show server killed with SIGKILL', { vmId, pids });
    return { crashed: true, pids };
  }

  // EC2 faults (the control endpoint's /__local/ec2/faults)

  /** The next `count` calls of `op` fail with `error`, as EC2 would answer them. */
  armFault(op: Ec2FaultOp, error: Ec2FaultError, count: number): ArmedEc2Fault[] {
    if (!EC2_FAULT_OPS.includes(op)) throw new Error(`unknown EC2 fault op ${String(op)}`);
    if (!(error in EC2_FAULT_ERRORS)) throw new Error(`unknown EC2 fault error ${String(error)}`);
    if (!Number.isInteger(count) || count < 1 || count > 1000)
      throw new Error(`count must be an integer in 1..1000, got ${count}`);
    this.armedFaults.push({ op, error, remaining: count });
    this.log.warn('EC2 fault armed', { op, error, count });
    return this.faults();
  }

  /** The faults still armed. */
  faults(): ArmedEc2Fault[] {
    return this.armedFaults.map((fault) => ({ ...fault }));
  }

  clearFaults(): void {
    this.armedFaults = [];
  }

  private injectFault(op: Ec2FaultOp): void {
    const fault = this.armedFaults.find((candidate) => candidate.op === op);
    if (fault === undefined) return;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.armedFaults.splice(this.armedFaults.indexOf(fault), 1);
    const { code, message } = EC2_FAULT_ERRORS[fault.error];
    this.log.warn('EC2 fault injected', { op, error: fault.error });
    throw new ComputeError(code, message, fault.error);
  }

  /** Last resort when the stack must exit at once: SIGKILL every VM process group now. */
  killAllNow(): void {
    for (const record of this.records.values()) {
      for (const pid of [record.agentPid, record.showServerPid])
        if (pid !== null) sigkillGroup(pid);
    }
  }

  /**
   * Stops every process but keeps the pool as it is: running VMs are brought back by the
   * next `open`. Transitions in progress are finished (stopping → stopped).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.watchdog !== null) clearInterval(this.watchdog);
    for (const timer of this.agentRestarts.values()) clearTimeout(timer);
    this.agentRestarts.clear();
    for (const transition of this.transitions.values()) transition.abort.abort();
    await Promise.allSettled([...this.inFlight]);
    await Promise.all(
      [...this.records.values()].map(async (record) => {
        await Promise.all([
          killGroup(record.agentPid, 5000),
          killGroup(record.showServerPid, 3000),
        ]);
        record.agentPid = null;
        record.showServerPid = null;
        if (record.state === 'stopping') record.state = 'stopped';
        if (record.state === 'shutting-down') {
          record.state = 'terminated';
          record.terminatedAt = this.options.clock.now();
        }
      }),
    );
    await this.save();
  }

  // Lifecycles

  private begin(record: LocalInstanceRecord): Transition {
    this.transitions.get(record.instanceId)?.abort.abort();
    // Every lifecycle change (boot, resume, reboot, stop, terminate) ends a crash.
    this.crashedAt.delete(record.instanceId);
    const transition = { generation: ++this.generation, abort: new AbortController() };
    this.transitions.set(record.instanceId, transition);
    return transition;
  }

  private current(record: LocalInstanceRecord, transition: Transition): boolean {
    return !this.closed && this.transitions.get(record.instanceId) === transition;
  }

  private track(work: () => Promise<void>): void {
    const promise = work().catch((error: unknown) => {
      this.log.error('lifecycle step failed', { error: (error as Error).message });
    });
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  private boot(record: LocalInstanceRecord, delayMs: number): void {
    const transition = this.begin(record);
    record.state = 'pending';
    record.launchTime = this.options.clock.now();
    this.track(async () => {
      if (!(await sleep(delayMs, transition.abort.signal))) return;
      if (!this.current(record, transition)) return;
      // As on EC2: the instance is running once booted; its services start after that, so
      // an agent that is up is never seen on a `pending` instance.
      record.state = 'running';
      await this.save();
      this.log.info('running', { vmId: record.vmId });
      await this.spawnProcesses(record, transition);
      await this.save();
    });
  }

  /** A VM that was running when the stack stopped: its processes come back, its state stays. */
  private resume(record: LocalInstanceRecord): void {
    const transition = this.begin(record);
    this.track(async () => {
      await this.spawnProcesses(record, transition);
      await this.save();
    });
  }

  private reboot(record: LocalInstanceRecord): void {
    const transition = this.begin(record);
    this.track(async () => {
      await this.stopProcesses(record);
      if (!(await sleep(this.rebootDelayMs, transition.abort.signal))) return;
      await this.spawnProcesses(record, transition);
      await this.save();
    });
  }

  private halt(
    record: LocalInstanceRecord,
    via: 'stopping' | 'shutting-down',
    final: 'stopped' | 'terminated',
  ): void {
    const transition = this.begin(record);
    record.state = via;
    this.track(async () => {
      await this.stopProcesses(record);
      if (!(await sleep(this.stopDelayMs, transition.abort.signal))) return;
      if (!this.current(record, transition)) return;
      record.state = final;
      if (final === 'terminated') record.terminatedAt = this.options.clock.now();
      await this.save();
      this.log.info(final, { vmId: record.vmId });
    });
  }

  private processSpec(record: LocalInstanceRecord): VmProcessSpec {
    return {
      vmId: record.vmId,
      vmDir: this.vmDir(record.vmId),
      address: record.address,
      showServerPort: record.showServerPort,
      databaseUrl: this.options.databaseUrl,
      repoRoot: this.options.repoRoot,
      agentArgs: this.options.agentArgs ?? [],
      readyTimeoutMs: this.showServerReadyTimeoutMs,
    };
  }

  /**
   * systemd's `Restart=always`: an agent that died on a running (not hung) VM is started again
   * `agentRestartMs` later, unless the VM stopped, rebooted or was crashed meanwhile.
   */
  private restartDeadAgents(): void {
    if (this.closed) return;
    for (const record of this.records.values()) {
      const pid = record.agentPid;
      if (record.state !== 'running' || pid === null || isAlive(pid)) continue;
      if (this.hung.has(record.instanceId) || this.agentRestarts.has(record.instanceId)) continue;
      const transition = this.transitions.get(record.instanceId);
      const timer = setTimeout(() => {
        this.agentRestarts.delete(record.instanceId);
        this.track(async () => {
          const still =
            !this.closed &&
            record.state === 'running' &&
            record.agentPid === pid &&
            !this.hung.has(record.instanceId) &&
            this.transitions.get(record.instanceId) === transition;
          if (!still) return;
          await journal(
            this.vmDir(record.vmId),
            'vmpool-agent',
            'vmpool-agent.service: Main process exited, code=killed; scheduled restart job',
          );
          const restarted = await startAgentProcess({
            ...this.processSpec(record),
            onSpawned: async (_name, pid) => {
              if (this.transitions.get(record.instanceId) !== transition) return;
              record.agentPid = pid;
              await this.save();
            },
          });
          if (this.closed || this.transitions.get(record.instanceId) !== transition) {
            // stopped, rebooted or closed while it started: nothing may outlive that
            await killGroup(restarted, 3000);
            return;
          }
          record.agentPid = restarted;
          this.log.info('agent restarted (Restart=always)', {
            vmId: record.vmId,
            pid: record.agentPid,
          });
          await this.save();
        });
      }, this.agentRestartMs);
      this.agentRestarts.set(record.instanceId, timer);
    }
  }

  private async spawnProcesses(record: LocalInstanceRecord, transition: Transition) {
    this.hung.delete(record.instanceId);
    try {
      const processes = await startVmProcesses({
        ...this.processSpec(record),
        // Saved at once: a stack killed while the VM boots leaves them for the next start.
        onSpawned: async (name, pid) => {
          if (!this.current(record, transition)) return;
          if (name === 'agent') record.agentPid = pid;
          else record.showServerPid = pid;
          await this.save();
        },
      });
      if (!this.current(record, transition)) {
        // stopped (or the stack closed) while booting: nothing may outlive that
        await Promise.all([
          killGroup(processes.agentPid, 3000),
          killGroup(processes.showServerPid, 3000),
        ]);
        return;
      }
      record.agentPid = processes.agentPid;
      record.showServerPid = processes.showServerPid;
    } catch (error) {
      // The instance still runs, as an EC2 instance whose services failed would.
      this.log.error('VM processes failed to start', {
        vmId: record.vmId,
        error: (error as Error).message,
      });
    }
  }

  private async stopProcesses(record: LocalInstanceRecord): Promise<void> {
    const { agentPid, showServerPid } = record;
    await Promise.all([killGroup(agentPid, 5000), killGroup(showServerPid, 3000)]);
    record.agentPid = null;
    record.showServerPid = null;
  }

  private async reapLeftovers(record: LocalInstanceRecord): Promise<void> {
    const leftovers: [number | null, string][] = [
      [record.agentPid, record.vmId],
      [record.showServerPid, record.address],
    ];
    for (const [pid, marker] of leftovers) {
      if (pid !== null && (await isVmProcess(pid, marker))) {
        this.log.warn('stopping a process left over by an earlier stack', {
          vmId: record.vmId,
          pid,
        });
        await killGroup(pid, 3000);
      }
    }
    record.agentPid = null;
    record.showServerPid = null;
  }

  // Helpers

  private find(region: string, instanceId: string): LocalInstanceRecord {
    this.assertOpen();
    if (!instanceId.startsWith(INSTANCE_PREFIX))
      throw new ComputeError(
        'NOT_FOUND',
        `invalid instance id ${instanceId}: local ids look like local-vm-001`,
        'InvalidInstanceID.Malformed',
      );
    const record = this.records.get(instanceId);
    if (!record || record.region !== region)
      throw new ComputeError(
        'NOT_FOUND',
        `instance ${instanceId} does not exist in ${region}`,
        'InvalidInstanceID.NotFound',
      );
    return record;
  }

  private assertOpen(): void {
    if (this.closed)
      throw new ComputeError('UNAVAILABLE', 'the local compute provider is closed', 'Closed');
  }

  private freeAddress(instanceId: string): string {
    const taken = new Set(
      [...this.records.values()]
        .filter((record) => record.state !== 'terminated' && record.instanceId !== instanceId)
        .map((record) => record.address),
    );
    for (let host = 2; host <= 254; host++) {
      const address = `${this.addressPrefix}.${host}`;
      if (!taken.has(address)) return address;
    }
    throw new ComputeError('CAPACITY', 'no free loopback address left for a local VM', 'Capacity');
  }

  private vmDir(vmId: string): string {
    return join(this.options.vmsDir, vmId);
  }

  private pruneTerminated(): void {
    const now = this.options.clock.now();
    for (const [id, record] of this.records) {
      if (record.state === 'terminated' && now - (record.terminatedAt ?? now) > this.retentionMs)
        this.records.delete(id);
    }
  }

  private toInstance(record: LocalInstanceRecord): ComputeInstance {
    const live = record.state === 'running' || record.state === 'pending';
    return {
      instanceId: record.instanceId,
      region: record.region,
      state: record.state,
      publicIp: live ? record.address : null,
      privateIp: record.state === 'terminated' ? null : record.address,
      publicDns: null,
      instanceType: record.instanceType,
      availabilityZone: `${record.region}a`,
      launchTime: record.launchTime,
      tags: { ...record.tags },
    };
  }

  private save(): Promise<void> {
    const snapshot = {
      version: 1 as const,
      instances: [...this.records.values()].map((record) => ({
        ...record,
        tags: { ...record.tags },
      })),
    };
    this.saving = this.saving
      .catch(() => undefined)
      .then(() => writeState(this.options.stateFile, snapshot));
    return this.saving;
  }
}

function wrongState(record: LocalInstanceRecord, action: string): ComputeError {
  return new ComputeError(
    'WRONG_STATE',
    `cannot ${action} ${record.instanceId}: it is ${record.state}`,
    'IncorrectInstanceState',
  );
}
