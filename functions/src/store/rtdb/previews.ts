import type { Database } from 'firebase-admin/database';
import { paths } from '@vmpool/core';
import type { PreviewStore } from '../pool-store';
import { competitionHoldingVm } from './vm-holder';

/** The live preview of a VM (`vmPool/previews/{vmId}`) and who watches it (issue 15). */
export function rtdbPreviewStore(db: Database): PreviewStore {
  return {
    async clearPreview(vmId) {
      // A VM that holds a competition again (re-assigned since a release that is finishing
      // late) keeps its preview and watchers: they are the new assignment's.
      if ((await competitionHoldingVm(db, vmId)) !== null) return;
      // One multi-path update: both go, or neither. Removing what is not there is a no-op.
      await db.ref().update({ [paths.preview(vmId)]: null, [paths.vmWatchers(vmId)]: null });
    },
  };
}
