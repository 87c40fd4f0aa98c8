import type { Database } from 'firebase-admin/database';
import { parseVmCommand, paths, type Parsed, type VmCommand } from '@vmpool/core';
import type { CommandStore, QueuedCommand } from '../pool-store';
import { toRtdbValue } from '../rtdb-values';
import { guardedTransaction } from './transaction';

/** Commands the control plane queues for an agent (release cleanup) and reads back. */
export function rtdbCommandStore(db: Database): CommandStore {
  return {
    async queueCommand(vmId, commandId, command: QueuedCommand) {
      await guardedTransaction(db.ref(paths.command(vmId, commandId)), (current) =>
        current === null ? toRtdbValue(command) : undefined,
      );
    },

    async getCommand(vmId, commandId): Promise<Parsed<VmCommand> | null> {
      const raw = (await db.ref(paths.command(vmId, commandId)).get()).val() as unknown;
      return raw === null ? null : parseVmCommand(raw);
    },
  };
}
