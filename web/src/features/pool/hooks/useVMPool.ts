import {
  DEFAULT_POOL_CONFIG,
  holdsAssignment,
  isCold,
  isWarm,
  type LaunchOptions,
  type PoolConfig,
  type PoolSummary,
  type ReleaseOptions,
  type VmRecord,
} from '@vmpool/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSession } from '../../../lib/session';
import { submitRequest, type NewPoolRequest, type RequestHandle } from '../../requests';
import {
  byVmIdNumeric,
  savePoolConfig,
  watchCompetitionVms,
  watchPoolConfig,
  watchPoolSummary,
  watchVms,
  type InvalidVm,
  type PoolConfigState,
  type VmList,
} from '../api/pool';

export interface VMPoolView {
  /**
   * Admins: every VM. Producers (issue 9): the VMs assigned to the competitions the view
   * asked for, the only VMs they may read.
   */
  vms: VmRecord[];
  /** Records that failed validation; shown as errors, never as working VMs. */
  invalidVMs: InvalidVm[];
  /** VMs listed with no agent report because the stored one is unreadable. */
  agentProblems: InvalidVm[];
  /**
   * Admins: the stored config. Producers do not read it (issue 9): core's defaults with the
   * pool's `agentStaleSeconds` from `vmPool/summary`, the one field their views judge with.
   */
  poolConfig: PoolConfig | null;
  /** Free warm VMs (an assign takes seconds) and free stopped ones (a cold start). */
  readyCount: number;
  coldCount: number;
  /** Problems in the stored `vmPool/config` (defaults apply meanwhile). */
  poolConfigErrors: string[];
  isLoading: boolean;
  error: string | null;
  availableVMs: VmRecord[];
  assignedVMs: VmRecord[];
  stoppedVMs: VmRecord[];
  getVMForCompetition(competitionId: string): VmRecord | undefined;
  assignVM(competitionId: string, preferredVmId?: string): Promise<RequestHandle>;
  releaseVM(competitionId: string, options?: ReleaseOptions): Promise<RequestHandle>;
  startVM(vmId: string): Promise<RequestHandle>;
  stopVM(vmId: string): Promise<RequestHandle>;
  rebootVM(vmId: string): Promise<RequestHandle>;
  setMaintenance(vmId: string, enabled: boolean): Promise<RequestHandle>;
  launchVM(options?: LaunchOptions): Promise<RequestHandle>;
  terminateVM(vmId: string): Promise<RequestHandle>;
  /** An admin's Recover of a VM in error (re-arms automatic recovery and runs it now). */
  recoverVM(vmId: string): Promise<RequestHandle>;
  savePoolConfig(config: PoolConfig): Promise<void>;
}

/** RTDB rejects `undefined`; keep only the options that were given. */
function definedOnly<T extends object>(options: T): Partial<T> | undefined {
  const entries = Object.entries(options).filter(([, value]) => value !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as Partial<T>);
}

const NO_VMS: VmList = { vms: [], invalid: [], agentProblems: [] };

function mergeLists(lists: readonly VmList[]): VmList {
  const byId = new Map<string, VmRecord>();
  for (const list of lists) for (const vm of list.vms) byId.set(vm.vmId, vm);
  return {
    vms: [...byId.values()].sort(byVmIdNumeric),
    invalid: lists.flatMap((list) => list.invalid),
    agentProblems: lists.flatMap((list) => list.agentProblems),
  };
}

/**
 * The pool, live, with the PRD's derived lists and request-writing actions. Admins read the
 * whole pool and its config; producers (issue 9) read `vmPool/summary` and the VMs assigned
 * to `competitionIds` (the competitions the view shows), nothing more.
 */
export function useVMPool(competitionIds: readonly string[] = []): VMPoolView {
  const { db, user } = useSession();
  const isAdmin = user.roles.admin;
  const [adminVms, setVmList] = useState<VmList | null>(null);
  // Producers: the merged lists of the competitions named by `key` (a stale key: loading).
  const [producerVms, setProducerVms] = useState<{ key: string; list: VmList } | null>(null);
  const [configState, setConfigState] = useState<PoolConfigState | null>(null);
  const [summary, setSummary] = useState<PoolSummary | null | undefined>(undefined);
  const [vmError, setVmError] = useState<string | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);
  const competitionKey = competitionIds.join('\n');

  useEffect(() => {
    if (isAdmin) {
      return watchVms(
        db,
        (list) => {
          setVmList(list);
          setVmError(null);
        },
        setVmError,
      );
    }
    // Producers: one indexed query per competition, merged.
    const ids = competitionKey === '' ? [] : competitionKey.split('\n');
    const lists = new Map<string, VmList>();
    const stops = ids.map((competitionId) =>
      watchCompetitionVms(
        db,
        competitionId,
        (list) => {
          lists.set(competitionId, list);
          if (lists.size === ids.length) {
            setProducerVms({ key: competitionKey, list: mergeLists([...lists.values()]) });
          }
          setVmError(null);
        },
        setVmError,
      ),
    );
    return () => {
      for (const stop of stops) stop();
    };
  }, [db, isAdmin, competitionKey]);
  useEffect(() => {
    if (isAdmin) {
      return watchPoolConfig(
        db,
        (state) => {
          setConfigState(state);
          setConfigError(null);
        },
        setConfigError,
      );
    }
    return watchPoolSummary(
      db,
      (next) => {
        setSummary(next);
        setConfigError(null);
      },
      setConfigError,
    );
  }, [db, isAdmin]);

  const vmList = isAdmin
    ? adminVms
    : competitionKey === ''
      ? NO_VMS
      : producerVms?.key === competitionKey
        ? producerVms.list
        : null;
  const vms = useMemo(() => vmList?.vms ?? [], [vmList]);
  const availableVMs = useMemo(() => vms.filter((vm) => isWarm(vm.status)), [vms]);
  const assignedVMs = useMemo(() => vms.filter((vm) => holdsAssignment(vm)), [vms]);
  const stoppedVMs = useMemo(
    () => vms.filter((vm) => isCold(vm.status) && vm.assignedTo === null),
    [vms],
  );

  const send = useCallback(
    (request: NewPoolRequest) =>
      submitRequest(db, user.uid, request, isAdmin ? 'admin' : 'producer'),
    [db, user.uid, isAdmin],
  );
  const producerConfig = useMemo<PoolConfig | null>(
    () =>
      summary === undefined
        ? null
        : {
            ...DEFAULT_POOL_CONFIG,
            tags: { ...DEFAULT_POOL_CONFIG.tags },
            agentStaleSeconds: summary?.agentStaleSeconds ?? DEFAULT_POOL_CONFIG.agentStaleSeconds,
          },
    [summary],
  );

  return {
    vms,
    invalidVMs: vmList?.invalid ?? [],
    agentProblems: vmList?.agentProblems ?? [],
    poolConfig: isAdmin ? (configState?.config ?? null) : producerConfig,
    readyCount: isAdmin ? availableVMs.length : (summary?.ready ?? 0),
    coldCount: isAdmin ? stoppedVMs.length : (summary?.cold ?? 0),
    poolConfigErrors: configState?.errors ?? [],
    isLoading:
      (vmList === null && vmError === null) ||
      (isAdmin
        ? configState === null && configError === null
        : summary === undefined && configError === null),
    error: vmError ?? configError,
    availableVMs,
    assignedVMs,
    stoppedVMs,
    getVMForCompetition: (competitionId) => vms.find((vm) => vm.assignedTo === competitionId),
    assignVM: (competitionId, preferredVmId) =>
      send({ action: 'assign', competitionId, options: definedOnly({ preferredVmId }) ?? {} }),
    releaseVM: (competitionId, options = {}) =>
      send({ action: 'release', competitionId, options: definedOnly(options) ?? {} }),
    startVM: (vmId) => send({ action: 'start', vmId }),
    stopVM: (vmId) => send({ action: 'stop', vmId }),
    rebootVM: (vmId) => send({ action: 'reboot', vmId }),
    setMaintenance: (vmId, enabled) => send({ action: 'maintenance', vmId, options: { enabled } }),
    launchVM: (options = {}) => send({ action: 'launch', options: definedOnly(options) ?? {} }),
    terminateVM: (vmId) => send({ action: 'terminate', vmId }),
    recoverVM: (vmId) => send({ action: 'recover', vmId }),
    savePoolConfig: (config) => savePoolConfig(db, config, user.uid),
  };
}
