// A season on a simulated clock and simulated compute, driven by core's real policies: the
// allocator (pickVmForAssignment), the state machine (transitionVm), the warm minimum
// (warmPoolStatus), idle auto-stop (idleStopCandidates), the schedule planner (planSchedule,
// bootLeads) and, afterwards, the cost functions (statusIntervals, summariseCost). Nothing here
// decides anything a policy decides; it only carries decisions out and lets time pass.
import {
  bootLeads,
  heldAssignments,
  idleStopCandidates,
  isHandedOver,
  pickVmForAssignment,
  planSchedule,
  priceKey,
  transitionVm,
  warmPoolStatus,
  withBootSample,
  type AgentReport,
  type BootKind,
  type BootLeadLookup,
  type BootStats,
  type Ec2State,
  type PoolConfig,
  type RequestState,
  type ScheduleMark,
  type ScheduledShow,
  type StatusHistoryEntry,
  type VmEvent,
  type VmRecord,
  type VmStatus,
  type VmStatusHistory,
} from '../../src/index';
import type { SeasonShow } from './season';

export type PolicyName = 'manual' | 'static' | 'vmpool';

/** The simulated cloud: how long things take (drawn from seeded distributions). */
export interface SimCompute {
  /** From the EC2 start (or launch) call to the agent's ready report. */
  bootSeconds(kind: BootKind): number;
  /** Archiving recordings and resetting the VM after a release. */
  releaseSeconds(): number;
  stopSeconds(): number;
  /** A warm assign: from the request to the competition's config pointing at the VM. */
  warmAssignSeconds(): number;
}

export interface SimInput {
  policy: PolicyName;
  shows: readonly SeasonShow[];
  from: number;
  to: number;
  config: PoolConfig;
  /** VMs in the pool at the start, all stopped. */
  poolSize: number;
  compute: SimCompute;
  /** Producers arrive this long before the start and need a ready VM then. */
  setupLeadMs: number;
  /** manual and PRD static: producers click release this long after the show really ends. */
  producerReleaseDelayMs(): number;
  /** How often reconcile runs. */
  tickMs: number;
}

export interface ShowOutcome {
  competitionId: string;
  neededAt: number;
  /** When the competition first had a handed-over VM; null: never. */
  readyAt: number | null;
  waitMs: number;
  /** The planner named the show as one that will not get a VM. */
  conflict: boolean;
}

export interface SimResult {
  policy: PolicyName;
  shows: ShowOutcome[];
  histories: VmStatusHistory[];
  /** The most assignments held at once, and the most VMs the pool ever had. */
  maxHeld: number;
  maxVms: number;
  /** Assign and release requests the schedule made. */
  scheduleRequests: { assign: number; release: number };
  /** Start-to-ready samples the control plane would have recorded. */
  bootStats: BootStats | null;
}

const EC2_FOR: Record<VmStatus, Ec2State> = {
  available: 'running',
  assigned: 'running',
  in_use: 'running',
  releasing: 'running',
  stopped: 'stopped',
  starting: 'pending',
  stopping: 'stopping',
  error: 'running',
  maintenance: 'running',
  terminating: 'shutting-down',
};

interface Event {
  at: number;
  seq: number;
  run: () => void;
}

/** A binary min-heap of events by time, then by the order they were scheduled. */
class EventQueue {
  private heap: Event[] = [];
  private seq = 0;

  push(at: number, run: () => void): void {
    const event = { at, seq: (this.seq += 1), run };
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Event, heap[parent] as Event)) break;
      [heap[i], heap[parent]] = [heap[parent] as Event, heap[i] as Event];
      i = parent;
    }
  }

  pop(): Event | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left] as Event, heap[smallest] as Event))
        smallest = left;
      if (right < heap.length && before(heap[right] as Event, heap[smallest] as Event))
        smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest] as Event, heap[i] as Event];
      i = smallest;
    }
    return top;
  }

  get size(): number {
    return this.heap.length;
  }
}

function before(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function agentReport(
  vm: VmRecord,
  now: number,
  streaming: boolean,
  instanceType: string,
): AgentReport {
  return {
    online: true,
    lastSeen: now,
    bootId: `boot-${vm.vmId}`,
    version: 'sim',
    startedAt: now,
    instanceId: vm.instanceId,
    region: vm.region,
    availabilityZone: `${vm.region}a`,
    instanceType,
    publicIp: null,
    privateIp: null,
    services: {},
    show: {
      reachable: true,
      obsConnected: true,
      obsIsStreaming: streaming,
      obsIsRecording: streaming,
      obsCurrentScene: streaming ? 'Live' : 'Starting Soon',
      connectedClients: 1,
      latencyMs: 5,
      checkedAt: now,
    },
    metrics: null,
    stream: null,
    obs: null,
  };
}

interface ShowRun {
  show: SeasonShow;
  neededAt: number;
  readyAt: number | null;
  /** The producer clicked assign and has no VM yet (retried every reconcile). */
  clicked: boolean;
  conflict: boolean;
}

/** Runs one policy over the season and returns what every show waited and every VM did. */
export function simulateSeason(input: SimInput): SimResult {
  const { config, compute, policy } = input;
  const instanceType = config.instanceType;
  const region = config.awsRegion;
  const queue = new EventQueue();
  const vms = new Map<string, VmRecord>();
  const history = new Map<string, StatusHistoryEntry[]>();
  const streaming = new Set<string>();
  const marks = new Map<string, ScheduleMark>();
  const requestStates = new Map<string, RequestState>();
  const runs = new Map<string, ShowRun>();
  let bootStats: BootStats | null = null;
  let now = input.from;
  let maxHeld = 0;
  let maxVms = 0;
  const scheduleRequests = { assign: 0, release: 0 };

  const list = () => [...vms.values()];
  const record = (vm: VmRecord, cause: string) => {
    history.get(vm.vmId)?.push({
      at: now,
      status: vm.status,
      ec2State: vm.ec2State,
      assignedTo: vm.assignedTo,
      instanceType,
      region,
      cause,
    });
  };
  const createVm = (status: VmStatus, patch: Partial<VmRecord> = {}): VmRecord => {
    const n = vms.size + 1;
    const vmId = `vm-${String(n).padStart(3, '0')}`;
    const vm: VmRecord = {
      vmId,
      instanceId: `i-${n.toString(16).padStart(17, '0')}`,
      region,
      status,
      statusChangedAt: now,
      statusReason: 'sim',
      errorCause: null,
      deadline: null,
      deadlineRetries: 0,
      ec2State: EC2_FOR[status],
      publicIp: null,
      privateIp: null,
      publicDns: null,
      assignedTo: null,
      assignedAt: null,
      assignedBy: null,
      requestId: null,
      healthStatus: 'healthy',
      lastHealthCheck: null,
      createdAt: now,
      lastStartedAt: status === 'starting' ? now : null,
      lastStoppedAt: status === 'stopped' ? now : null,
      lastReleasedAt: null,
      totalAssignments: 0,
      tags: {},
      recovery: { attempts: [], gaveUpAt: null, release: null, running: null, nextAttemptAt: null },
      unhealthySince: null,
      agent: null,
      ...patch,
    };
    vms.set(vmId, vm);
    history.set(vmId, []);
    record(vm, 'created');
    maxVms = Math.max(maxVms, vms.size);
    return vm;
  };
  /** Every status change goes through core's state machine; an illegal one is a sim bug. */
  const change = (vm: VmRecord, event: VmEvent, patch: Partial<VmRecord> = {}) => {
    const result = transitionVm(vm, event);
    if (!result.ok) throw new Error(`sim: ${result.error}`);
    Object.assign(vm, patch, {
      status: result.to,
      statusChangedAt: now,
      ec2State: EC2_FOR[result.to],
    });
    vm.agent =
      vm.ec2State === 'running' ? agentReport(vm, now, streaming.has(vm.vmId), instanceType) : null;
    record(vm, event);
    maxHeld = Math.max(maxHeld, heldAssignments(list()));
  };

  const boot = (vm: VmRecord, kind: BootKind, onReady: () => void) => {
    const seconds = compute.bootSeconds(kind);
    const startedAt = now;
    queue.push(now + seconds * 1000, () => {
      if (vm.status !== 'starting' || vm.statusChangedAt !== startedAt) return;
      bootStats = withBootSample(bootStats, kind, seconds, now);
      onReady();
    });
  };

  const goLiveIfOnAir = (vm: VmRecord) => {
    const run = vm.assignedTo === null ? undefined : runs.get(vm.assignedTo);
    if (run === undefined || vm.status !== 'assigned') return;
    if (now >= run.show.startsAt && now < run.show.actualEnd) {
      streaming.add(vm.vmId);
      change(vm, 'show_live');
    }
  };

  const handedOver = (vm: VmRecord, requestId: string | null) => {
    const run = vm.assignedTo === null ? undefined : runs.get(vm.assignedTo);
    if (run !== undefined && run.readyAt === null) {
      run.readyAt = now;
      run.clicked = false;
    }
    if (requestId !== null) requestStates.set(requestId, 'succeeded');
    goLiveIfOnAir(vm);
  };

  /** An assign request, as the control plane's assign use case carries it out. */
  const assign = (
    run: ShowRun,
    by: string,
    preferredVmId: string | null,
    requestId: string | null,
  ) => {
    const competitionId = run.show.competitionId;
    const pick = pickVmForAssignment(
      list(),
      { competitionId, ...(preferredVmId === null ? {} : { preferredVmId }) },
      config,
    );
    const held = { assignedTo: competitionId, assignedAt: now, assignedBy: by, requestId };
    switch (pick.kind) {
      case 'warm': {
        const vm = pick.vm;
        change(vm, 'assign', { ...held, totalAssignments: vm.totalAssignments + 1 });
        const since = vm.statusChangedAt;
        queue.push(now + compute.warmAssignSeconds() * 1000, () => {
          if (
            vm.assignedTo === competitionId &&
            vm.statusChangedAt === since &&
            isHandedOver(vm.status)
          )
            handedOver(vm, requestId);
        });
        return true;
      }
      case 'cold': {
        const vm = pick.vm;
        change(vm, 'cold_assign', {
          ...held,
          lastStartedAt: now,
          totalAssignments: vm.totalAssignments + 1,
        });
        boot(vm, 'start', () => {
          change(vm, 'agent_ready_assigned');
          handedOver(vm, requestId);
        });
        return true;
      }
      case 'launch': {
        const vm = createVm('starting', { ...held, totalAssignments: 1 });
        boot(vm, 'launch', () => {
          change(vm, 'agent_ready_assigned');
          handedOver(vm, requestId);
        });
        return true;
      }
      case 'none':
        return false;
    }
  };

  const release = (vm: VmRecord, stopVM: boolean) => {
    change(vm, 'release');
    streaming.delete(vm.vmId);
    const since = vm.statusChangedAt;
    queue.push(now + compute.releaseSeconds() * 1000, () => {
      if (vm.status !== 'releasing' || vm.statusChangedAt !== since) return;
      const freed = { assignedTo: null, assignedAt: null, assignedBy: null, lastReleasedAt: now };
      if (!stopVM) {
        change(vm, 'release_done', freed);
        return;
      }
      change(vm, 'release_stop', freed);
      stopAfter(vm);
    });
  };

  const stopAfter = (vm: VmRecord) => {
    const since = vm.statusChangedAt;
    queue.push(now + compute.stopSeconds() * 1000, () => {
      if (vm.status === 'stopping' && vm.statusChangedAt === since) {
        change(vm, 'ec2_stopped', { lastStoppedAt: now });
      }
    });
  };

  const warmStart = (vm: VmRecord) => {
    change(vm, 'start_requested', { lastStartedAt: now });
    boot(vm, 'start', () => change(vm, 'agent_ready'));
  };

  const heldBy = (competitionId: string) =>
    list().find((vm) => vm.assignedTo === competitionId && vm.status !== 'stopped');

  // --- The producers: they arrive to set up, go on air, and (without the schedule) release.
  for (const show of input.shows) {
    const run: ShowRun = {
      show,
      neededAt: show.startsAt - input.setupLeadMs,
      readyAt: null,
      clicked: false,
      conflict: false,
    };
    runs.set(show.competitionId, run);
    queue.push(run.neededAt, () => {
      if (heldBy(show.competitionId) !== undefined) return;
      run.clicked = !assign(run, `producer-${show.competitionId}`, null, null);
    });
    queue.push(show.startsAt, () => {
      const vm = heldBy(show.competitionId);
      if (vm !== undefined) goLiveIfOnAir(vm);
    });
    queue.push(show.actualEnd, () => {
      const vm = heldBy(show.competitionId);
      run.clicked = false;
      if (vm === undefined) return;
      streaming.delete(vm.vmId);
      if (vm.status === 'in_use') change(vm, 'show_ended');
      if (policy === 'vmpool') return;
      queue.push(now + input.producerReleaseDelayMs(), () => {
        const still = heldBy(show.competitionId);
        if (still !== undefined && still.status !== 'releasing')
          release(still, policy === 'manual');
      });
    });
  }

  // --- Reconcile, every tick.
  const scheduleInputs = (): ScheduledShow[] => {
    const horizon = 15 * 86_400_000;
    return input.shows
      .filter((show) => show.startsAt < now + horizon && show.actualEnd + 86_400_000 > now)
      .map((show) => {
        const mark = marks.get(show.competitionId) ?? null;
        return {
          competitionId: show.competitionId,
          name: show.name,
          startsAt: show.startsAt,
          endsAt: show.endsAt,
          mark,
          markRequestState:
            mark?.requestId == null ? null : (requestStates.get(mark.requestId) ?? null),
        };
      });
  };

  // The control plane reads vmPool/bootStats each reconcile; the lookup only changes with it.
  let leads: { stats: BootStats | null; lookup: BootLeadLookup } = {
    stats: bootStats,
    lookup: bootLeads({}, config),
  };
  const currentLeads = () => {
    if (leads.stats !== bootStats) {
      const tree = bootStats === null ? {} : { [region]: { [priceKey(instanceType)]: bootStats } };
      leads = { stats: bootStats, lookup: bootLeads(tree, config) };
    }
    return leads.lookup;
  };

  const reconcile = () => {
    let warmMinimum = config.minWarmVMs;
    let reserved: readonly string[] = [];
    if (policy === 'vmpool') {
      const plan = planSchedule({
        now,
        shows: scheduleInputs(),
        vms: list(),
        config,
        bootLeadMs: currentLeads(),
        tickMs: input.tickMs,
      });
      for (const conflict of plan.conflicts) {
        const run = runs.get(conflict.competitionId);
        if (run !== undefined) run.conflict = true;
      }
      for (const { competitionId, mark } of plan.marks) marks.set(competitionId, mark);
      for (const decision of plan.assign) {
        const run = runs.get(decision.competitionId);
        if (run === undefined || requestStates.has(decision.requestId)) continue;
        scheduleRequests.assign += 1;
        requestStates.set(decision.requestId, 'running');
        if (!assign(run, 'schedule', decision.vmId, decision.requestId)) {
          requestStates.set(decision.requestId, 'failed');
        }
      }
      for (const decision of plan.release) {
        if (requestStates.has(decision.requestId)) continue;
        const vm = vms.get(decision.vmId);
        requestStates.set(decision.requestId, 'succeeded');
        if (vm === undefined || vm.assignedTo !== decision.competitionId) continue;
        scheduleRequests.release += 1;
        release(vm, decision.stopVM);
      }
      warmMinimum = plan.warmMinimum;
      reserved = plan.reservedVmIds;
    }
    const effective = { ...config, minWarmVMs: warmMinimum };
    const warmPool = warmPoolStatus(list(), effective);
    for (const vm of warmPool.toStart) warmStart(vm);
    for (let i = 0; i < warmPool.toLaunch; i += 1) {
      const vm = createVm('starting');
      boot(vm, 'launch', () => change(vm, 'agent_ready'));
    }
    const stoppable = list().filter((vm) => !reserved.includes(vm.vmId));
    for (const vm of idleStopCandidates(stoppable, effective, now)) {
      change(vm, 'stop_requested');
      stopAfter(vm);
    }
    // Producers who clicked and got nothing try again.
    for (const run of runs.values()) {
      if (!run.clicked || now >= run.show.actualEnd) continue;
      if (heldBy(run.show.competitionId) !== undefined) continue;
      run.clicked = !assign(run, `producer-${run.show.competitionId}`, null, null);
    }
    if (now + input.tickMs < input.to) queue.push(now + input.tickMs, reconcile);
  };

  for (let i = 0; i < input.poolSize; i += 1) createVm('stopped');
  queue.push(input.from, reconcile);
  while (queue.size > 0) {
    const event = queue.pop() as Event;
    if (event.at >= input.to) break;
    now = event.at;
    event.run();
  }

  return {
    policy,
    shows: [...runs.values()].map((run) => ({
      competitionId: run.show.competitionId,
      neededAt: run.neededAt,
      readyAt: run.readyAt,
      waitMs:
        run.readyAt === null
          ? run.show.actualEnd - run.neededAt
          : Math.max(0, run.readyAt - run.neededAt),
      conflict: run.conflict,
    })),
    histories: [...history.entries()].map(([vmId, entries]) => ({ vmId, entries })),
    maxHeld,
    maxVms,
    scheduleRequests,
    bootStats,
  };
}
