import type { Database } from 'firebase-admin/database';
import {
  holdsAssignment,
  parseCompetitionConfig,
  paths,
  VM_STATUSES,
  type CompetitionConfig,
  type VmStatus,
} from '@vmpool/core';
import type { CompetitionStore } from '../pool-store';
import { isRecord } from '../rtdb-values';
import { guardedTransaction } from './transaction';

/** The competition's link to its VM (`vmId`, `vmAddress`) and who produces it. */
export function rtdbCompetitionStore(db: Database): CompetitionStore {
  const ref = (path: string) => db.ref(path);
  const read = async (path: string): Promise<unknown> => (await ref(path).get()).val() as unknown;

  /** The VM's record says it holds `competitionId` (assigned to it, in a status that holds). */
  const vmHoldsCompetition = async (vmId: string, competitionId: string): Promise<boolean> => {
    const [assignedTo, status] = await Promise.all([
      read(`${paths.vm(vmId)}/assignedTo`),
      read(`${paths.vm(vmId)}/status`),
    ]);
    if (assignedTo !== competitionId) return false;
    // An unreadable status still says who holds the VM: the link stays, reconcile repairs it.
    if (!VM_STATUSES.includes(status as VmStatus)) return true;
    return holdsAssignment({ status: status as VmStatus, assignedTo });
  };

  return {
    async getCompetitionConfig(competitionId): Promise<CompetitionConfig | null> {
      const raw = await read(paths.competitionConfig(competitionId));
      if (!isRecord(raw)) return null;
      const parsed = parseCompetitionConfig(raw);
      // The existing app owns the other fields: a stray value there must not block vmpool.
      return parsed.ok ? parsed.value : { ...raw, vmId: null, vmAddress: null };
    },

    async setCompetitionVm(competitionId, vmId, vmAddress) {
      await ref(paths.competitionConfig(competitionId)).update({ vmId, vmAddress });
    },

    async clearCompetitionVm(competitionId, vmId) {
      // The VM record is the truth about who holds the VM. When it holds this competition, a
      // link to it is that assignment's (a later assign of the same VM to the same show linked
      // it again), and a late or repeated release, failover or repair must leave it alone. RTDB
      // has no transaction over two paths: the record is read just before the link's
      // transaction, and an assign claims the VM well before it writes the link.
      if (await vmHoldsCompetition(vmId, competitionId)) return;
      await guardedTransaction(ref(paths.competitionConfig(competitionId)), (current) => {
        if (current === null) return null;
        if (!isRecord(current) || current.vmId !== vmId) return undefined;
        const { vmId: _vmId, vmAddress: _vmAddress, ...rest } = current;
        return rest;
      });
    },

    async hasProducerAccess(uid, competitionId) {
      return (await read(paths.producerAccessFor(uid, competitionId))) === true;
    },
  };
}
