import { onValueWritten } from 'firebase-functions/v2/database';
import { onCommandStatus } from '../usecases/events/command-status';
import { runtimeDeps } from './runtime';

/** A command's status written by its agent: audit, and let a waiting release continue. */
export const onCommandStatusWritten = onValueWritten(
  { ref: 'vmPool/commands/{vmId}/{commandId}/status', timeoutSeconds: 60 },
  async (event) => {
    await onCommandStatus(runtimeDeps(), event.params.vmId, event.params.commandId);
  },
);
