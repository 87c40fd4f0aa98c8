/** Which admin actions make sense for a VM right now, straight from core's state machine. */
import {
  canTransition,
  holdsAssignment,
  isAssignable,
  maintenanceOffEvent,
  recoverEvent,
  RECOVERY_POLICIES,
  transitionVm,
  type VmRecord,
} from '@vmpool/core';

export interface VmActionAvailability {
  start: boolean;
  stop: boolean;
  reboot: boolean;
  assign: boolean;
  release: boolean;
  /** The VM may be put into maintenance. */
  maintenanceOn: boolean;
  /** The VM is in maintenance and may leave it. */
  maintenanceOff: boolean;
  /** The instance may be deleted: a free VM in a state the state machine lets go. */
  terminate: boolean;
  /** A failed VM whose cause can recover (an admin's Recover re-arms automatic recovery). */
  recover: boolean;
}

export function vmActionAvailability(vm: VmRecord): VmActionAvailability {
  return {
    start: canTransition(vm.status, 'start_requested'),
    stop: canTransition(vm.status, 'stop_requested'),
    reboot: canTransition(vm.status, 'reboot_requested'),
    assign: isAssignable(vm.status) && vm.assignedTo === null,
    release: holdsAssignment(vm) && canTransition(vm.status, 'release'),
    maintenanceOn: canTransition(vm.status, 'maintenance_on'),
    maintenanceOff: canTransition(vm.status, maintenanceOffEvent(vm.ec2State)),
    terminate: transitionVm(vm, 'terminate_requested').ok,
    recover:
      transitionVm(vm, recoverEvent(vm)).ok &&
      vm.errorCause !== null &&
      RECOVERY_POLICIES[vm.errorCause].automatic,
  };
}
