// The chaos suite (issue 11): seeded random faults against the control plane's real use cases
// over the local RTDB server and the in-memory cloud, with assign/release traffic, and the
// pool's invariants checked after each round. Faults: the functions host dies mid-request
// (a store that fails from a random call on) or mid-reconcile, agents killed (a claimed
// command interrupted) and restarted, EC2 throttling and capacity errors. Time is a manual
// clock, so a seed replays exactly the same schedule of faults and traffic.
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getDatabase } from 'firebase-admin/database';
import {
  decideRecovery,
  isFinalResult,
  isTransitional,
  paths,
  parseVmEntry,
  type PoolConfig,
  type VmRecord,
} from '@vmpool/core';
import { manualClock } from '@vmpool/core/ports';
import { startRtdbServer } from '@vmpool/local/rtdb';
import { FaultyCompute, MemoryCompute } from '../../src/adapters/memory';
import type { UseCaseDeps } from '../../src/usecases/deps';
import { onAgentReport } from '../../src/usecases/events/agent-report';
import { onCommandStatus } from '../../src/usecases/events/command-status';
import { reconcile } from '../../src/usecases/reconcile/reconcile';
import { handleRequest } from '../../src/usecases/requests/handle-request';
import { toRtdbValue } from '../../src/store/rtdb-values';
import { crashingStore, SimulatedCrash } from '../support/crashing-store';
import { testDeps, T0 } from '../support/deps';
import { addCompetition, agentReport, request, seedVm, writeConfig } from '../support/fixtures';
import { poolProblems } from '../support/invariants';
import { percentile, prng } from './seeded';

export interface ChaosOptions {
  seed: number;
  rounds: number;
  /** Traffic steps (each maybe with a fault) per round. */
  steps?: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  rounds: number;
  faults: Record<string, number>;
  invariantsChecked: number;
  violations: string[];
  /** Per round: simulated ms from the last fault until every VM was usable again (null: never). */
  timeToFullCapacityMs: (number | null)[];
}

/** The reconcile period of the simulated control plane (Cloud Scheduler's minute). */
export const RECONCILE_INTERVAL_MS = 60_000;
const VM_IDS = ['vm-001', 'vm-002', 'vm-003', 'vm-004'];
const COMPETITIONS = ['meet-1', 'meet-2', 'meet-3'];
const CHAOS_CONFIG: Partial<PoolConfig> = {
  minWarmVMs: 0,
  autoStopAfterHours: 0,
  agentStaleSeconds: 30,
  warmupTimeSeconds: 60,
  recoveryMaxAttempts: 5,
  recoveryWindowMinutes: 5,
};

interface AgentSim {
  alive: boolean;
  boot: number;
  /** Recordings on the VM's disk, and those archived (S3). */
  recordings: Set<string>;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const random = prng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number) => random() < p;
  const steps = options.steps ?? 6;

  const rtdb = await startRtdbServer({ port: 0, quiet: true });
  const ns = `chaos-${options.seed}-${process.pid}`;
  const app = initializeApp({ databaseURL: rtdb.databaseUrl(ns), projectId: ns }, `chaos-${ns}`);
  const db = getDatabase(app);
  const clock = manualClock(T0);
  const memory = new MemoryCompute({ clock });
  const compute = new FaultyCompute(memory);
  const deps = testDeps(db, { clock, compute });
  const report: ChaosReport = {
    seed: options.seed,
    rounds: options.rounds,
    faults: {},
    invariantsChecked: 0,
    violations: [],
    timeToFullCapacityMs: [],
  };
  const fault = (name: string) => {
    report.faults[name] = (report.faults[name] ?? 0) + 1;
  };
  const agents = new Map<string, AgentSim>();
  const archived = new Set<string>();
  const lost: string[] = [];
  let requestCount = 0;
  let recordingCount = 0;

  try {
    await writeConfig(db, CHAOS_CONFIG);
    for (const id of COMPETITIONS) await addCompetition(db, id);
    for (const vmId of VM_IDS) {
      await seedVm(db, memory, vmId, 'available', T0);
      agents.set(vmId, { alive: true, boot: 1, recordings: new Set() });
    }

    const readVms = async (): Promise<VmRecord[]> => {
      const raw = ((await db.ref(paths.vms()).get()).val() ?? {}) as Record<string, unknown>;
      return Object.entries(raw).flatMap(([vmId, node]) => {
        const entry = parseVmEntry(vmId, node);
        return entry.ok ? [entry.value] : [];
      });
    };
    /** A host that dies at a random store call (or a healthy one). */
    const host = (crash: boolean): UseCaseDeps => {
      if (!crash) return deps;
      fault('host killed mid-operation');
      return { ...deps, store: crashingStore(deps.store, 2 + Math.floor(random() * 14)).store };
    };
    const survive = async (work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
      }
    };

    /** Every live agent on a running instance reports (with its boot), as its heartbeat would. */
    const heartbeat = async (crash = false) => {
      for (const vm of await readVms()) {
        const sim = agents.get(vm.vmId);
        const instance = memory.get(vm.instanceId);
        if (sim === undefined || instance === undefined) continue;
        const running = instance.state === 'running';
        const before = (await db.ref(paths.vmAgent(vm.vmId)).get()).val() as unknown;
        const now = clock.now();
        const next =
          running && sim.alive
            ? agentReport(now, {
                bootId: `boot-${vm.vmId}-${sim.boot}`,
                startedAt: now - 1000,
                publicIp: instance.publicIp,
                instanceId: vm.instanceId,
              })
            : before === null
              ? null
              : { ...(before as Record<string, unknown>), online: false };
        if (next === null) continue;
        await db.ref(paths.vmAgent(vm.vmId)).set(toRtdbValue(next));
        await survive(() => onAgentReport(host(crash), vm.vmId, before, next));
      }
    };

    /** Live agents run their queued commands (the recordings follow archive and clear). */
    const runAgents = async () => {
      for (let pass = 0; pass < 4; pass += 1) {
        let ran = 0;
        for (const vmId of VM_IDS) {
          const sim = agents.get(vmId);
          const vm = (await readVms()).find((candidate) => candidate.vmId === vmId);
          if (!sim?.alive || vm === undefined) continue;
          if (memory.get(vm.instanceId)?.state !== 'running') continue;
          const commands = ((await db.ref(paths.vmCommands(vmId)).get()).val() ?? {}) as Record<
            string,
            { op: string; status?: string; args?: { competitionId?: string } }
          >;
          for (const [commandId, command] of Object.entries(commands)) {
            if (command.status !== undefined) continue;
            if (command.op === 'archive_recordings') {
              for (const file of sim.recordings) archived.add(file);
            }
            if (command.op === 'clear_recordings') {
              for (const file of sim.recordings) if (!archived.has(file)) lost.push(file);
              sim.recordings.clear();
            }
            const now = clock.now();
            await db.ref(paths.command(vmId, commandId)).update({
              claim: { bootId: `boot-${vmId}-${sim.boot}`, at: now },
              status: 'succeeded',
              startedAt: now,
              finishedAt: now,
              durationMs: 0,
              exitCode: 0,
            });
            ran += 1;
            await onCommandStatus(deps, vmId, commandId);
          }
        }
        if (ran === 0) return;
      }
    };

    /** An agent dies (SIGKILL): a queued command it had claimed never finishes and is failed at its next boot. */
    const killAgent = async (vmId: string) => {
      const sim = agents.get(vmId);
      if (sim === undefined || !sim.alive) return;
      fault('agent killed');
      sim.alive = false;
      const commands = ((await db.ref(paths.vmCommands(vmId)).get()).val() ?? {}) as Record<
        string,
        { status?: string }
      >;
      const queued = Object.entries(commands).find(([, command]) => command.status === undefined);
      if (queued !== undefined) {
        const now = clock.now();
        await db.ref(paths.command(vmId, queued[0])).update({
          claim: { bootId: `boot-${vmId}-${sim.boot}`, at: now },
          status: 'failed',
          startedAt: now,
          finishedAt: now,
          durationMs: 0,
          exitCode: null,
          reason: `claimed by agent boot boot-${vmId}-${sim.boot}, which stopped before finishing; not re-run (at-most-once)`,
        });
        await survive(() => onCommandStatus(deps, vmId, queued[0]));
      }
    };
    const restartAgents = () => {
      for (const sim of agents.values()) {
        if (!sim.alive) {
          sim.alive = true;
          sim.boot += 1;
        }
      }
    };

    const submitRequest = async (value: Record<string, unknown>, crash: boolean) => {
      requestCount += 1;
      const requestId = `chaos-${options.seed}-${requestCount}`;
      await db.ref(paths.request(requestId)).set(value);
      await survive(() => handleRequest(host(crash), requestId, value));
    };

    const traffic = async () => {
      const vms = await readVms();
      const held = new Map(
        vms.filter((vm) => vm.assignedTo !== null).map((vm) => [vm.assignedTo, vm]),
      );
      const competitionId = pick(COMPETITIONS);
      const crash = chance(0.3);
      const holder = held.get(competitionId);
      if (holder === undefined) {
        await submitRequest(request('assign', { competitionId }), crash);
      } else {
        // The show recorded something on its VM; the release must archive it before clearing.
        recordingCount += 1;
        agents.get(holder.vmId)?.recordings.add(`${competitionId}-${recordingCount}.mkv`);
        await submitRequest(
          request('release', {
            competitionId,
            options: { archiveRecordings: true, stopVM: chance(0.3) },
          }),
          crash,
        );
      }
    };

    /** Whether every VM is usable (no error, nothing transitional) and every request final. */
    const fullCapacity = async (): Promise<string[]> => {
      const problems: string[] = [];
      for (const vm of await readVms()) {
        // EC2's state and the reason say why (a failing seed is read from this line).
        const why = `EC2 ${memory.get(vm.instanceId)?.state ?? 'gone'}: ${vm.statusReason}`;
        if (vm.status === 'error')
          problems.push(`${vm.vmId} is in error (${vm.errorCause ?? '?'}; ${why})`);
        else if (isTransitional(vm.status))
          problems.push(`${vm.vmId} is still ${vm.status} (${why})`);
      }
      const requests = ((await db.ref(paths.requests()).get()).val() ?? {}) as Record<
        string,
        { result?: unknown }
      >;
      for (const [requestId, stored] of Object.entries(requests)) {
        if (!isFinalResult(stored.result)) problems.push(`request ${requestId} is not final`);
      }
      return problems;
    };

    for (let round = 1; round <= options.rounds; round += 1) {
      // Faults and traffic.
      for (let step = 0; step < steps; step += 1) {
        clock.advance(2_000 + Math.floor(random() * 15_000));
        if (chance(0.2)) await killAgent(pick(VM_IDS));
        if (chance(0.25)) {
          const code = chance(0.5) ? 'THROTTLED' : 'CAPACITY';
          const method = pick(['startInstance', 'stopInstance', 'describePoolInstances'] as const);
          compute.fail(method, code, 1 + Math.floor(random() * 2));
          fault(`EC2 ${code} on ${method}`);
        }
        await traffic();
        await heartbeat(chance(0.1));
        await runAgents();
        if (chance(0.3)) {
          const crash = chance(0.3);
          await survive(() => reconcile(host(crash)));
        }
      }
      // The faults clear: agents restart (systemd), EC2 answers again.
      restartAgents();
      compute.clear();
      const faultsEndedAt = clock.now();
      let usableAfter: number | null = null;
      let remaining: string[] = [];
      for (let interval = 1; interval <= 3; interval += 1) {
        clock.advance(RECONCILE_INTERVAL_MS);
        await heartbeat();
        await runAgents();
        await reconcile(deps);
        await heartbeat();
        await runAgents();
        remaining = await fullCapacity();
        if (remaining.length === 0) {
          usableAfter = clock.now() - faultsEndedAt;
          break;
        }
      }
      report.timeToFullCapacityMs.push(usableAfter);

      // Invariants.
      const config = { ...(await deps.store.readConfig()) };
      const poolConfig = config.ok ? config.value : null;
      const checks: [string, string[]][] = [
        ['links and assignments', await poolProblems(db)],
        [
          'no VM in error whose cause cleared',
          (await readVms())
            .filter((vm) => vm.status === 'error' && poolConfig !== null)
            .filter((vm) => {
              const decision = decideRecovery(vm, poolConfig as PoolConfig, clock.now());
              return decision.kind === 'act' || decision.kind === 'running';
            })
            .map(
              (vm) => `${vm.vmId} is in error (${vm.errorCause ?? '?'}) though its cause cleared`,
            ),
        ],
        ['every request final, pool usable within 3 reconcile intervals', remaining],
        ['no recording lost', lost.map((file) => `${file} was cleared without being archived`)],
      ];
      for (const [name, problems] of checks) {
        report.invariantsChecked += 1;
        for (const problem of problems)
          report.violations.push(`round ${round}: ${name}: ${problem}`);
      }
      lost.length = 0;
      log(
        `round ${round}: ${usableAfter === null ? 'NOT usable after 3 reconcile intervals' : `usable ${usableAfter / 1000} s after the last fault`}` +
          (remaining.length > 0 ? ` (${remaining.join('; ')})` : ''),
      );
    }
  } finally {
    await deleteApp(app);
    await rtdb.stop();
  }
  return report;
}

/** The report as the lines `npm run chaos` prints. */
export function formatChaosReport(report: ChaosReport): string[] {
  const reached = report.timeToFullCapacityMs.filter((ms): ms is number => ms !== null);
  const seconds = (ms: number | null) => (ms === null ? 'n/a' : `${ms / 1000} s`);
  const faults = Object.entries(report.faults)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => `${name} ×${count}`);
  return [
    `chaos: seed ${report.seed}, ${report.rounds} rounds (replay: npm run chaos -- --sim --seed ${report.seed} --rounds ${report.rounds})`,
    `faults injected: ${faults.reduce((sum, line) => sum + Number(line.split('×')[1]), 0)} (${faults.join(', ') || 'none'})`,
    `invariants checked: ${report.invariantsChecked}, violated: ${report.violations.length}`,
    ...report.violations.map((line) => `  VIOLATION ${line}`),
    `time to full capacity after the last fault (simulated, reconcile every ${RECONCILE_INTERVAL_MS / 1000} s): p50 ${seconds(percentile(reached, 50))}, max ${seconds(reached.length === 0 ? null : Math.max(...reached))}; ${report.timeToFullCapacityMs.length - reached.length} of ${report.rounds} rounds not back within 3 intervals`,
  ];
}
