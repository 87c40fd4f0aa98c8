import {
  holdsAssignment,
  isCold,
  isWarm,
  type LaunchOptions,
  type PoolConfig,
  type ReleaseOptions,
  type VmRecord,
} from '@vmpool/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSession } from '../../../lib/session';
import { submitRequest, type NewPoolRequest, type RequestHandle } from '../../requests';
import {
  savePoolConfig,
  watchPoolConfig,
  watchVms,
  type InvalidVm,
  type PoolConfigState,
  type VmList,
} from '../api/pool';

export interface VMPoolView {
  vms: VmRecord[];
  /** Records that failed validation; shown as errors, never as working VMs. */
  invalidVMs: InvalidVm[];
  /** VMs listed with no agent report because the stored one is unreadable. */
  agentProblems: InvalidVm[];
  poolConfig: PoolConfig | null;
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

/** The pool, live, with the PRD's derived lists and request-writing actions. */
export function useVMPool(): VMPoolView {
  const { db, user } = useSession();
  const [vmList, setVmList] = useState<VmList | null>(null);
  const [configState, setConfigState] = useState<PoolConfigState | null>(null);
  const [vmError, setVmError] = useState<string | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);

  useEffect(
    () =>
      watchVms(
        db,
        (list) => {
          setVmList(list);
          setVmError(null);
        },
        setVmError,
      ),
    [db],
  );
  useEffect(
    () =>
      watchPoolConfig(
        db,
        (state) => {
          setConfigState(state);
          setConfigError(null);
        },
        setConfigError,
      ),
    [db],
  );

  const vms = useMemo(() => vmList?.vms ?? [], [vmList]);
  const availableVMs = useMemo(() => vms.filter((vm) => isWarm(vm.status)), [vms]);
  const assignedVMs = useMemo(() => vms.filter((vm) => holdsAssignment(vm)), [vms]);
  const stoppedVMs = useMemo(
    () => vms.filter((vm) => isCold(vm.status) && vm.assignedTo === null),
    [vms],
  );

  const send = useCallback(
    (request: NewPoolRequest) => submitRequest(db, user.uid, request),
    [db, user.uid],
  );

  return {
    vms,
    invalidVMs: vmList?.invalid ?? [],
    agentProblems: vmList?.agentProblems ?? [],
    poolConfig: configState?.config ?? null,
    poolConfigErrors: configState?.errors ?? [],
    isLoading:
      (vmList === null && vmError === null) || (configState === null && configError === null),
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
