/** Connects one VMCard to the pool actions and to the progress of its request. */
import type { VmRecord } from '@vmpool/core';
import { useSession } from '../../../../lib/session';
import { CommandConsole } from '../../../commands';
import { useRequest, type TrackedRequest, foreignRequestTitle } from '../../../requests';
import type { VMPoolView } from '../../hooks/useVMPool';
import { vmActionAvailability } from '../../lib/vmActions';
import type { CompetitionOption, PendingRequest, VmAction } from './types';
import { VMCard } from './VMCard';

export interface VmCardContainerProps {
  vm: VmRecord;
  pool: VMPoolView;
  now: number;
  assignedName: string | null;
  competitionOptions: readonly CompetitionOption[];
  tracked: TrackedRequest | undefined;
  track(
    action: VmAction['kind'],
    title: string,
    submit: () => ReturnType<VMPoolView['startVM']>,
  ): void;
  dismiss(): void;
}

export function VmCardContainer({
  vm,
  pool,
  now,
  tracked,
  track,
  dismiss,
  ...rest
}: VmCardContainerProps) {
  const { user } = useSession();
  const isAdmin = user.roles.admin;
  // Our own request first; otherwise whatever request is driving the VM, when readable
  // (admins read all requests, producers their own).
  const followId = tracked?.requestId ?? (tracked === undefined ? vm.requestId : null);
  const request = useRequest(followId);

  let pending: PendingRequest | null = null;
  if (tracked !== undefined) {
    pending = {
      action: tracked.action as VmAction['kind'],
      title: tracked.title,
      result: request.result,
      error: tracked.submitError ?? request.error,
    };
  } else if (followId !== null && request.result !== null) {
    // Someone else's request: show its progress; its read errors are not ours to report.
    pending = {
      action: null,
      title: foreignRequestTitle(
        request.result,
        vm.assignedTo === null ? null : (rest.assignedName ?? vm.assignedTo),
      ),
      result: request.result,
      error: null,
    };
  }

  const onAction = (action: VmAction) => {
    switch (action.kind) {
      case 'start':
        track('start', `Start ${vm.vmId}`, () => pool.startVM(vm.vmId));
        break;
      case 'stop':
        track('stop', `Stop ${vm.vmId}`, () => pool.stopVM(vm.vmId));
        break;
      case 'reboot':
        track('reboot', `Reboot ${vm.vmId}`, () => pool.rebootVM(vm.vmId));
        break;
      case 'assign':
        track('assign', `Assign ${vm.vmId}`, () => pool.assignVM(action.competitionId, vm.vmId));
        break;
      case 'release':
        if (vm.assignedTo !== null) {
          const competitionId = vm.assignedTo;
          track('release', `Release ${vm.vmId}`, () => pool.releaseVM(competitionId));
        }
        break;
      case 'maintenance':
        track(
          'maintenance',
          action.enabled ? `Maintenance for ${vm.vmId}` : `End maintenance of ${vm.vmId}`,
          () => pool.setMaintenance(vm.vmId, action.enabled),
        );
        break;
      case 'terminate':
        track('terminate', `Terminate ${vm.vmId}`, () => pool.terminateVM(vm.vmId));
        break;
      case 'recover':
        track('recover', `Recover ${vm.vmId}`, () => pool.recoverVM(vm.vmId));
        break;
    }
  };

  return (
    <VMCard
      vm={vm}
      now={now}
      poolConfig={pool.poolConfig}
      availability={vmActionAvailability(vm)}
      isAdmin={isAdmin}
      pending={pending}
      onAction={onAction}
      onDismissPending={tracked !== undefined ? dismiss : undefined}
      console={
        isAdmin ? <CommandConsole vmId={vm.vmId} competitionId={vm.assignedTo} /> : undefined
      }
      {...rest}
    />
  );
}
