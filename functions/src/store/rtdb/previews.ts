import type { Database } from 'firebase-admin/database';
import { paths } from '@vmpool/core';
import type { PreviewStore } from '../pool-store';

/** The live preview of a VM (`vmPool/previews/{vmId}`) and who watches it (issue 15). */
export function rtdbPreviewStore(db: Database): PreviewStore {
  return {
    async clearPreview(vmId) {
      // One multi-path update: both go, or neither. Removing what is not there is a no-op.
      await db.ref().update({ [paths.preview(vmId)]: null, [paths.vmWatchers(vmId)]: null });
    },
  };
}
