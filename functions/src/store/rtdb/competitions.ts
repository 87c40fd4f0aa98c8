import type { Database } from 'firebase-admin/database';
import { parseCompetitionConfig, paths, type CompetitionConfig } from '@vmpool/core';
import type { CompetitionStore } from '../pool-store';
import { isRecord } from '../rtdb-values';
import { guardedTransaction } from './transaction';
import { competitionHoldingVm } from './vm-holder';

/** The competition's link to its VM (`vmId`, `vmAddress`) and who produces it. */
export function rtdbCompetitionStore(db: Database): CompetitionStore {
  const ref = (path: string) => db.ref(path);
  const read = async (path: string): Promise<unknown> => (await ref(path).get()).val() as unknown;

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
      // When the VM's record holds this competition, a link to it is that assignment's (a later
      // assign of the same VM to the same show linked it again): see competitionHoldingVm.
      if ((await competitionHoldingVm(db, vmId)) === competitionId) return;
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
