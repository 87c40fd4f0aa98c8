import type {
  AgentPulse,
  AllocatableVm,
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
  FailoverRecord,
  StateExportRecord,
  Parsed,
  PoolConfig,
  RequestLimits,
  RequestResult,
  SummaryEntry,
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

/** What an assign reads of a VM: the allocator's fields and the request driving it. */
export type AllocationView = AllocatableVm & Pick<VmRecord, 'requestId'>;

/** A live view of the allocation index (`VmStore.watchAllocationViews`). */
export interface AllocationWatch {
  views(): AllocationView[];
  close(): void;
}

/**
 * Issue 17: plain writes that go with a committed VM change (`updateVm`'s `links`, given the
 * committed record), in the same multi-path write as its bookkeeping: one round trip, and all
 * or nothing. A write lost to a crash after the change committed is repaired like a lost
 * bookkeeping write (reconcile's repair of assignments; a resumed assign finds its VM).
 */
export interface VmChangeLinks {
  /**
   * The assignment lock's VM (`vmPool/assignments/{competitionId}`: its requestId, competitionId
   * and vmId fields, the rest left as they are), for the assign holding the lock.
   */
  lock?: { competitionId: string; requestId: string; vmId: string };
  /** The hand-over: `competitions/{competitionId}/config` vmId and vmAddress. */
  competition?: { competitionId: string; vmId: string; vmAddress: string | null };
}

/** The pool config and the VM records. Every VM status change goes through `updateVm`. */
export interface VmStore {
  /** `vmPool/config` completed with defaults; a broken config comes back with its errors. */
  readConfig(): Promise<Parsed<PoolConfig>>;

  /**
   * Every VM, read with core's `parseVmEntry`: `invalid` records are left out (and reported),
   * `agentProblems` are VMs kept with `agent: null` because only their agent report is bad.
   */
  /**
   * Agent reports come merged with their pulse (`vmPool/pulse`: heartbeat and metrics, core's
   * `withPulse`), so that `isAgentFresh(vm.agent, null, …)` judges them; `pulse: false` skips
   * the pulses (an assign, which never judges agents, reads less).
   */
  listVms(options?: {
    pulse?: boolean;
  }): Promise<{ vms: VmRecord[]; invalid: InvalidRecord[]; agentProblems: InvalidRecord[] }>;
  /**
   * The allocation index (`vmPool/allocation`, a few fields per VM, kept by this store): what an
   * assign ranks, without downloading records and agent reports. A hint that may lag; when it
   * is empty (before the first reconcile after the deploy) the records are read instead.
   */
  listAllocationViews(): Promise<AllocationView[]>;
  /**
   * Issue 17: the allocation index kept live while an assign claims (one listener shared by the
   * assigns running at once in this instance, dropped when the last one closes its watch): the
   * first read downloads the index once, later claims by concurrent assigns arrive as they are
   * written, so a claim lost to one of them re-ranks with what they took, without a read.
   * `views()` is `listAllocationViews()` as of now; close the watch when done.
   */
  watchAllocationViews(): Promise<AllocationWatch>;
  /** Rewrites the allocation index from these records (reconcile, every run). */
  rewriteAllocationIndex(vms: readonly VmRecord[]): Promise<void>;
  /** The record with its agent's pulse merged, as `listVms`. */
  getVm(vmId: string): Promise<VmRecord | null>;
  /** `vmPool/pulse/{vmId}`: the agent's heartbeat and metrics (null when none or unreadable). */
  getAgentPulse(vmId: string): Promise<AgentPulse | null>;
  /** Creates the record only when no VM with that id exists; false otherwise. */
  createVm(record: VmRecord): Promise<boolean>;
  /**
   * A guarded transaction on `vmPool/vms/{vmId}`: `change` sees the current record and returns
   * the new one, or null to leave it untouched. The agent subtree is never overwritten. The
   * record `change` sees and the one returned carry the agent's pulse (read once, before the
   * transaction), unless `pulse: false` (a claim, which never judges the agent).
   */
  updateVm(
    vmId: string,
    change: (vm: VmRecord) => VmRecord | null,
    options?: { pulse?: boolean; links?: (vm: VmRecord) => VmChangeLinks },
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
  /**
   * Issue 11: extends the lease of the run `runId` until `until` while it still holds it:
   * 'lost' when another run took the request (this run's lease ran out meanwhile) or it is no
   * longer open (final), 'ended' when the run gave it back. Nothing is written unless 'renewed'.
   */
  renewRequestLease(
    requestId: string,
    runId: string,
    until: number,
  ): Promise<'renewed' | 'lost' | 'ended'>;
  /** Gives the run lease back (the request may still be open, e.g. waiting for an agent). */
  endRequestRun(requestId: string, runId: string): Promise<void>;
  /**
   * Writes progress (a final result is never overwritten). Issue 17: a final result leaves the
   * open index with `closeRequest`, together with the request's other closing writes.
   */
  writeResult(requestId: string, result: RequestResult): Promise<void>;
  /**
   * Issue 17: the writes that close a request whose result is final, in one multi-path write:
   * it leaves the open index (`vmPool/openRequests`), its user's open quota entry (when `uid`
   * is given) and its audit entry (when given). Safe to repeat.
   */
  closeRequest(
    requestId: string,
    closing: { uid: string | null; audit: { auditId: string; entry: AuditEntry } | null },
  ): Promise<void>;
  /**
   * Requests begun but not final, with when they were last updated and until when a run holds
   * them (0: no run does; a past time: the run died holding it).
   */
  listOpenRequests(): Promise<{ requestId: string; updatedAt: number; leaseUntil: number }[]>;
  /** Requests no handler has begun yet (no result), oldest first, at most `limit`. */
  listUnbegunRequests(limit: number): Promise<{ requestId: string; raw: unknown }[]>;
  /** Forgets an open request (it was deleted, or found final). */
  dropOpenRequest(requestId: string): Promise<void>;
  // Issue 9: rate limits (`vmPool/requestQuota/{uid}`, core's request-quota.ts).
  /**
   * Admits a request of `uid` under `limits` in one transaction: counted already (it holds an
   * open entry), or a per-minute slot (the one its writer claimed, or a free one) and room
   * among the open requests. Refused: nothing is written, and why comes back.
   */
  admitRequest(
    uid: string,
    requestId: string,
    limits: RequestLimits,
    now: number,
  ): Promise<{ ok: true } | { ok: false; message: string; retryAfterMs: number | null }>;
  /**
   * Claims a per-minute slot for a request about to be written by the control plane itself
   * (the HTTPS API), when there is also room among the open requests.
   */
  claimRequestSlot(
    uid: string,
    requestId: string,
    limits: RequestLimits,
    now: number,
  ): Promise<{ ok: true } | { ok: false; message: string; retryAfterMs: number | null }>;
  /** The request is final: it no longer counts among its user's open requests. */
  closeRequestQuota(uid: string, requestId: string): Promise<void>;
  /** Every user's open entries, for reconcile to drop those of final or missing requests. */
  listQuotaOpenEntries(): Promise<{ uid: string; requestId: string }[]>;
}

/** `competitions/{compId}/config` (its VM link) and `producerAccess`. */
export interface CompetitionStore {
  getCompetitionConfig(competitionId: string): Promise<CompetitionConfig | null>;
  setCompetitionVm(competitionId: string, vmId: string, vmAddress: string | null): Promise<void>;
  /**
   * Removes vmId and vmAddress, only when the competition still points at `vmId` and the VM's
   * record does not hold the competition (then the link is a later assignment's, not the
   * caller's to remove).
   */
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
  // --- Status history retention (issue 13)
  /** Deletes these entries (ids derived from them, as appendStatusHistory writes them). */
  deleteStatusHistoryEntries(
    entries: readonly { vmId: string; entry: StatusHistoryEntry }[],
  ): Promise<void>;
  // ---
}

/** `vmPool/failovers` (issue 12) and the requests a failover makes itself. */
export interface FailoverStore {
  getFailover(competitionId: string): Promise<FailoverRecord | null>;
  /** Transaction on the record: `change` returns the new one, null to delete, undefined to keep. */
  updateFailover(
    competitionId: string,
    change: (record: FailoverRecord | null) => FailoverRecord | null | undefined,
  ): Promise<FailoverRecord | null>;
  listFailovers(): Promise<FailoverRecord[]>;
  /** Writes a request as the control plane, unless one with that id exists; true if written. */
  createRequest(requestId: string, value: Record<string, unknown>): Promise<boolean>;
  /** The latest saved show state of a competition (`vmPool/stateExports`), if valid. */
  getStateExport(competitionId: string): Promise<StateExportRecord | null>;
}
// --- Live preview (issue 15)
/** `vmPool/previews/{vmId}` and `vmPool/vms/{vmId}/watchers`. */
export interface PreviewStore {
  /**
   * Removes the VM's preview and its watchers in one write (safe to repeat), unless the VM's
   * record holds a competition: then they are that assignment's and stay.
   */
  clearPreview(vmId: string): Promise<void>;
}
// ---

/** One-shot data migrations (store/migrations/), each recorded at `vmPool/migrations/{name}`. */
export interface MigrationStore {
  /** Moves stored `agent/metrics` into `vmPool/pulse` once; `ran: false` when already done. */
  migrateAgentPulse(now: number): Promise<{ ran: boolean; moved: number }>;
}

/** The control plane's view of RTDB, one part per concern (store/rtdb/ implements each). */
/** Issue 9: `vmPool/summary`, the pool counts producers read (store/rtdb/summary.ts). */
export interface SummaryStore {
  /** Rewrites the summary from the whole pool (reconcile). */
  syncSummary(entries: Record<string, SummaryEntry>, agentStaleSeconds: number): Promise<void>;
}

export type PoolStore = VmStore &
  MigrationStore &
  SummaryStore &
  RequestStore &
  CompetitionStore &
  LockStore &
  CommandStore &
  AlertStore &
  AuditStore &
  ScheduleStore &
  FailoverStore &
  PreviewStore;

export interface QueuedCommand {
  op: VmCommand['op'];
  args?: Record<string, unknown>;
  requestedBy: string;
  requestedAt: number;
}
