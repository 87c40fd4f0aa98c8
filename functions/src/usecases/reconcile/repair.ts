import {
  holdsAssignment,
  isFinalResult,
  isHandedOver,
  leaseRanOut,
  type VmRecord,
} from '@vmpool/core';
import type { AssignmentLock } from '../../store/pool-store';
import { advanceRelease } from '../release/advance-release';
import type { UseCaseDeps } from '../deps';
import { handOver, WARM_ASSIGN_STEPS } from '../assign/hand-over';
import { handleRequest, requestPayload } from '../requests/handle-request';
import { vmAddressOf } from '../shared/vm-changes';
import { isRecord } from '../../store/rtdb-values';

/**
 * Makes locks, VMs and competitions agree again after a crash anywhere in assign or release:
 * releases move on (or hit their deadline), stale locks go, a held VM gets its lock and its
 * competition link, and the request that assigned it is completed.
 */
export async function repairAssignments(
  deps: UseCaseDeps,
  vms: VmRecord[],
  locks: AssignmentLock[],
): Promise<number> {
  const now = deps.clock.now();
  const byId = new Map(vms.map((vm) => [vm.vmId, vm]));
  let repaired = 0;
  const locked = new Set<string>();
  for (const lock of locks) {
    locked.add(lock.competitionId);
    if (lock.release) {
      if (await advanceRelease(deps, lock.competitionId)) repaired += 1;
      continue;
    }
    if (lock.vmId === null) {
      if (now - lock.at <= deps.settings.requestRedriveAfterMs) continue;
      const request = await deps.store.getRequest(lock.requestId);
      if (request === null || isFinalResult(request.result)) {
        await deps.store.updateLock(lock.competitionId, (current) =>
          current?.requestId === lock.requestId && current.vmId === null ? null : undefined,
        );
        repaired += 1;
      }
      continue;
    }
    const listed = byId.get(lock.vmId);
    if (listed !== undefined && listed.assignedTo === lock.competitionId) continue;
    // The list was read before this lock: an assign may have claimed the VM since, so only the
    // VM's latest record says whether the lock is dangling.
    const vm = await deps.store.getVm(lock.vmId);
    if (vm === null || vm.assignedTo !== lock.competitionId) {
      await deps.store.clearCompetitionVm(lock.competitionId, lock.vmId);
      await deps.store.updateLock(lock.competitionId, (current) =>
        current?.vmId === lock.vmId && !current.release ? null : undefined,
      );
      repaired += 1;
    }
  }
  for (const vm of vms) {
    if (!holdsAssignment(vm) || vm.assignedTo === null) continue;
    if (!isHandedOver(vm.status)) continue;
    const competitionId = vm.assignedTo;
    if (!locked.has(competitionId)) {
      await deps.store.updateLock(competitionId, (current) =>
        current === null
          ? {
              competitionId,
              requestId: vm.requestId ?? `repair-${vm.vmId}`,
              vmId: vm.vmId,
              at: now,
              release: null,
            }
          : undefined,
      );
      repaired += 1;
    }
    const competition = await deps.store.getCompetitionConfig(competitionId);
    const request = vm.requestId === null ? null : await deps.store.getRequest(vm.requestId);
    const requestOpen = request !== null && !isFinalResult(request.result);
    const linkBroken =
      competition !== null &&
      (competition.vmId !== vm.vmId ||
        (vmAddressOf(vm, deps.settings) !== null &&
          competition.vmAddress !== vmAddressOf(vm, deps.settings)));
    if (linkBroken || requestOpen) {
      // The list may be older than a release that finished meanwhile: hand over only what the
      // latest record still holds, or a released competition would point at its VM again.
      const latest = await deps.store.getVm(vm.vmId);
      if (
        latest === null ||
        latest.assignedTo !== competitionId ||
        !holdsAssignment(latest) ||
        !isHandedOver(latest.status)
      ) {
        continue;
      }
      await handOver(deps, latest, WARM_ASSIGN_STEPS);
      repaired += 1;
    }
  }
  return repaired;
}

const UNBEGUN_BATCH = 100;

/**
 * Requests begun but not finished run again; they resume. One whose run died holding it (its
 * lease ran out without being given back or renewed: a crashed handler) at once, one that
 * waits for an event (its run ended, e.g. a cold assign waiting for the agent) after a while.
 * A live run renews its short lease (issue 11: RunLease), so its request is never taken here.
 */
export async function redriveOpenRequests(deps: UseCaseDeps): Promise<number> {
  const now = deps.clock.now();
  let redriven = 0;
  for (const open of await deps.store.listOpenRequests()) {
    const runDied = leaseRanOut(open, now);
    if (!runDied && now - open.updatedAt <= deps.settings.requestRedriveAfterMs) continue;
    const stored = await deps.store.getRequest(open.requestId);
    if (stored === null) {
      await deps.store.dropOpenRequest(open.requestId);
      continue;
    }
    await handleRequest(deps, open.requestId, requestPayload(stored.raw));
    redriven += 1;
  }
  // Requests whose trigger never got as far as beginning them (lost delivery, crash).
  for (const unbegun of await deps.store.listUnbegunRequests(UNBEGUN_BATCH)) {
    const requestedAt = isRecord(unbegun.raw) ? unbegun.raw.requestedAt : undefined;
    if (
      typeof requestedAt === 'number' &&
      now - requestedAt <= deps.settings.requestRedriveAfterMs
    ) {
      continue;
    }
    await handleRequest(deps, unbegun.requestId, requestPayload(unbegun.raw));
    redriven += 1;
  }
  return redriven;
}

/**
 * Issue 9: a request counts among its user's open ones from admission to its final result;
 * completeRequest ends that. One whose final result was written but whose entry was not (a
 * crash in between), or whose row is gone, is closed here.
 */
export async function closeFinishedQuotaEntries(deps: UseCaseDeps): Promise<number> {
  let closed = 0;
  for (const entry of await deps.store.listQuotaOpenEntries()) {
    const stored = await deps.store.getRequest(entry.requestId);
    if (stored !== null && !isFinalResult(stored.result)) continue;
    await deps.store.closeRequestQuota(entry.uid, entry.requestId);
    closed += 1;
  }
  return closed;
}
