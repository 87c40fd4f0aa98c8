import type { Database } from 'firebase-admin/database';
import { holdsAssignment, isTransitional, paths, type VmStatus } from '@vmpool/core';

interface StoredVm {
  status: VmStatus;
  assignedTo?: string;
  deadline?: number;
}

/**
 * The pool's invariants after any sequence of events: no VM serves two competitions, no
 * competition holds two VMs, every link points both ways, and every transitional VM has a
 * deadline (so reconcile can never leave it stuck). Returns the problems found.
 */
export async function poolProblems(db: Database): Promise<string[]> {
  const vms = ((await db.ref(paths.vms()).get()).val() ?? {}) as Record<string, StoredVm>;
  const competitions = ((await db.ref(paths.competitions()).get()).val() ?? {}) as Record<
    string,
    { config?: { vmId?: string } }
  >;
  const problems: string[] = [];
  const heldBy = new Map<string, string[]>();
  for (const [vmId, vm] of Object.entries(vms)) {
    const assignedTo = vm.assignedTo ?? null;
    if (holdsAssignment({ status: vm.status, assignedTo }) && assignedTo !== null) {
      heldBy.set(assignedTo, [...(heldBy.get(assignedTo) ?? []), vmId]);
    }
    if (isTransitional(vm.status) && typeof vm.deadline !== 'number') {
      problems.push(`${vmId} is ${vm.status} without a deadline`);
    }
  }
  for (const [competitionId, held] of heldBy) {
    if (held.length > 1) problems.push(`${competitionId} holds ${held.join(', ')}`);
  }
  for (const [competitionId, competition] of Object.entries(competitions)) {
    const vmId = competition.config?.vmId;
    if (vmId === undefined) continue;
    if (vms[vmId]?.assignedTo !== competitionId) {
      problems.push(`${competitionId} points at ${vmId}, which is not assigned to it`);
    }
  }
  for (const [vmId, vm] of Object.entries(vms)) {
    if ((vm.status === 'assigned' || vm.status === 'in_use') && vm.assignedTo) {
      if (competitions[vm.assignedTo]?.config?.vmId !== vmId) {
        problems.push(`${vmId} is ${vm.status} for ${vm.assignedTo}, which does not point at it`);
      }
    }
  }
  return problems;
}
