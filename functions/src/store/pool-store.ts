import type {
  Alert,
  AuditEntry,
  BootKind,
  BootStatsTree,
  MonthlyCost,
  PoolRequest,
  ScheduleMark,
  StatusHistoryEntry,
  VmStatusHistory,
  CompetitionConfig,
  Parsed,
  PoolConfig,
  RequestResult,
  VmCommand,
  VmRecord,
} from '@vmpool/core';

/**
 * Who holds a competition's single VM slot: `vmPool/assignments/{competitionId}`. Created by
 * the assign request before it claims a VM (so one competition never gets two), carrying the
 * release in progress once a release starts. Not part of the public contract: only the control
 * plane reads or writes it (the rules deny everything not listed).
 */
export interface AssignmentLock {
  competitionId: string;
  /** The assign request that holds the slot. */
  requestId: string;
  vmId: string | null;
  at: number;
  release: ReleaseProgress | null;
}

export interface ReleaseProgress {
  requestId: string;
  requestedBy: string;
  vmId: string;
  archiveRecordings: boolean;
  stopVM: boolean;
  /** Cleanup runs through the VM's agent, or through SSM when the agent is offline. */
  via: 'agent' | 'ssm' | 'none';
  commandIds: string[];
  invocationId: string | null;
  startedAt: number;
  deadline: number;
}

export interface StoredRequest {
  requestId: string;
  raw: unknown;
  result: RequestResult | null;
}

/** A read whose payload failed validation: reported, never silently dropped. */
export interface InvalidRecord {
  path: string;
  errors: string[];
}

/** The pool config and the VM records. Every VM status change goes through `updateVm`. */
export interface VmStore {
  /** `vmPool/config` completed with defaults; a broken config comes back with its errors. */
  readConfig(): Promise<Parsed<PoolConfig>>;

  /**
   * Every VM, read with core's `parseVmEntry`: `invalid` records are left out (and reported),
   * `agentProblems` are VMs kept with `agent: null` because only their agent report is bad.
   */
  listVms(): Promise<{ vms: VmRecord[]; invalid: InvalidRecord[]; agentProblems: InvalidRecord[] }>;
  getVm(vmId: string): Promise<VmRecord | null>;
  /** Creates the record only when no VM with that id exists; false otherwise. */
  createVm(record: VmRecord): Promise<boolean>;
  /**
   * A guarded transaction on `vmPool/vms/{vmId}`: `change` sees the current record and returns
   * the new one, or null to leave it untouched. The agent subtree is never overwritten.
   */
  updateVm(
    vmId: string,
    change: (vm: VmRecord) => VmRecord | null,
  ): Promise<{ committed: boolean; vm: VmRecord | null }>;
  /** Deletes the record when `expect` approves the current value. */
  deleteVm(vmId: string, expect: (vm: VmRecord) => boolean): Promise<boolean>;
}

/** `vmPool/requests` and the run leases of open requests. */
export interface RequestStore {
  getRequest(requestId: string): Promise<StoredRequest | null>;
  /**
   * Takes the request's run lease and marks it as being worked on: 'final' when its result is
   * already final, 'busy' while another delivery holds an unexpired lease. Also indexes it as
   * open so that reconcile can drive it again after a crash.
   */
  beginRequest(
    requestId: string,
    initial: RequestResult,
    lease: { runId: string; until: number; now: number },
  ): Promise<'begun' | 'final' | 'busy'>;
  /** Gives the run lease back (the request may still be open, e.g. waiting for an agent). */
  endRequestRun(requestId: string, runId: string): Promise<void>;
  /** Writes progress; a final result also drops the request from the open index. */
  writeResult(requestId: string, result: RequestResult): Promise<void>;
  /** Requests begun but not final, with when they were last updated. */
  listOpenRequests(): Promise<{ requestId: string; updatedAt: number }[]>;
  /** Requests no handler has begun yet (no result), oldest first, at most `limit`. */
  listUnbegunRequests(limit: number): Promise<{ requestId: string; raw: unknown }[]>;
  /** Forgets an open request (it was deleted, or found final). */
  dropOpenRequest(requestId: string): Promise<void>;
}

/** `competitions/{compId}/config` (its VM link) and `producerAccess`. */
export interface CompetitionStore {
  getCompetitionConfig(competitionId: string): Promise<CompetitionConfig | null>;
  setCompetitionVm(competitionId: string, vmId: string, vmAddress: string | null): Promise<void>;
  /** Removes vmId and vmAddress, only when the competition still points at `vmId`. */
  clearCompetitionVm(competitionId: string, vmId: string): Promise<void>;
  hasProducerAccess(uid: string, competitionId: string): Promise<boolean>;
}

/** `vmPool/assignments`: each competition's single assignment slot. */
export interface LockStore {
  getLock(competitionId: string): Promise<AssignmentLock | null>;
  /** Transaction on the lock: `change` returns the new lock, null to delete, undefined to keep. */
  updateLock(
    competitionId: string,
    change: (lock: AssignmentLock | null) => AssignmentLock | null | undefined,
  ): Promise<AssignmentLock | null>;
  listLocks(): Promise<AssignmentLock[]>;
}

/** `vmPool/commands`: what the control plane queues for agents. */
export interface CommandStore {
  /** Queues a command unless one with that id exists (safe to repeat). */
  queueCommand(vmId: string, commandId: string, command: QueuedCommand): Promise<void>;
  getCommand(vmId: string, commandId: string): Promise<Parsed<VmCommand> | null>;
}

/** `alerts/{scope}` and their dedupe index. */
export interface AlertStore {
  /** Creates the alert unless an unresolved one with its sourceId exists in that scope. */
  raiseAlert(scope: string, alert: Alert): Promise<{ created: boolean; alertId: string }>;
  /** Resolves the unresolved alert with that sourceId, if any. */
  resolveAlert(scope: string, sourceId: string, now: number): Promise<boolean>;
  acknowledgeAlert(scope: string, alertId: string, by: string, now: number): Promise<boolean>;
  listActiveAlerts(scope?: string): Promise<(Alert & { scope: string })[]>;
  /** Every unresolved alert's index entry: scope, sourceId and alert id. */
  listAlertSources(): Promise<{ scope: string; sourceId: string; alertId: string }[]>;
}

/** `audit` and push ids. */
export interface AuditStore {
  /** Writes the entry under a deterministic id, so a repeated handler writes it once. */
  writeAudit(auditId: string, entry: AuditEntry): Promise<void>;
  newId(): string;
}

/** A competition with both `startsAt` and `endsAt` (the schedule's input). */
export interface ScheduledCompetition {
  competitionId: string;
  name?: string;
  startsAt: number;
  endsAt: number;
}

/**
 * The show schedule and the bill: scheduled competitions, `vmPool/schedule` marks, the
 * schedule's request rows, `vmPool/statusHistory`, `vmPool/bootStats`, `vmPool/costs`.
 */
export interface ScheduleStore {
  /** Competitions with startsAt and endsAt whose endsAt is at or after `endedAfter`. */
  listScheduledCompetitions(endedAfter: number): Promise<ScheduledCompetition[]>;
  /** Valid marks by competition id (an invalid mark counts as none). */
  listScheduleMarks(): Promise<Map<string, ScheduleMark>>;
  /**
   * Writes the schedule's request row and the mark naming it (an assign's; a release has none)
   * in one multi-path update, field by field so that repeating it never overwrites the
   * request's result.
   */
  createScheduleRequest(
    requestId: string,
    request: PoolRequest,
    mark: { competitionId: string; mark: ScheduleMark } | null,
  ): Promise<void>;
  setScheduleMark(competitionId: string, mark: ScheduleMark): Promise<void>;
  /** Writes the entry under an id derived from it (the same entry twice is one). */
  appendStatusHistory(vmId: string, entry: StatusHistoryEntry): Promise<void>;
  listStatusHistory(): Promise<{ vms: VmStatusHistory[]; errors: string[] }>;
  readBootStats(): Promise<BootStatsTree>;
  /** Adds one start-to-ready sample (a transaction keeping the latest BOOT_SAMPLES_KEPT). */
  recordBootSample(
    region: string,
    instanceType: string,
    kind: BootKind,
    seconds: number,
    at: number,
  ): Promise<void>;
  writeMonthlyCost(cost: MonthlyCost): Promise<void>;
  /** The stored month's `through`, or null when it has none. */
  readMonthlyCostThrough(month: string): Promise<number | null>;
}

/** The control plane's view of RTDB, one part per concern (store/rtdb/ implements each). */
export type PoolStore = VmStore &
  RequestStore &
  CompetitionStore &
  LockStore &
  CommandStore &
  AlertStore &
  AuditStore &
  ScheduleStore;

export interface QueuedCommand {
  op: VmCommand['op'];
  args?: Record<string, unknown>;
  requestedBy: string;
  requestedAt: number;
}
