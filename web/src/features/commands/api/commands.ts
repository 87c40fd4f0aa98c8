/**
 * VM commands: admins queue `vmPool/commands/{vmId}/{pushId}`; the agent claims it and writes
 * its status and output beside it.
 */
import {
  parseCommandArgs,
  parseVmCommand,
  paths,
  type CommandOp,
  type VmCommand,
} from '@vmpool/core';
import { limitToLast, onValue, orderByKey, query, ref, type Database } from 'firebase/database';
import {
  describeDataError,
  newPushId,
  serverTimestamp,
  writeValue,
  type Unsubscribe,
} from '../../../lib/rtdb';

export async function queueCommand(
  db: Database,
  uid: string,
  vmId: string,
  op: CommandOp,
  args: Record<string, unknown> | undefined,
): Promise<string> {
  const checked = parseCommandArgs(op, args ?? {});
  if (!checked.ok) throw new Error(`Invalid ${op} arguments: ${checked.errors.join('; ')}`);
  const validArgs = checked.value as Record<string, unknown>;
  const commandId = newPushId(db, paths.vmCommands(vmId));
  await writeValue(db, paths.command(vmId, commandId), {
    op,
    ...(Object.keys(validArgs).length === 0 ? {} : { args: validArgs }),
    requestedBy: uid,
    requestedAt: serverTimestamp(),
  });
  return commandId;
}

export interface CommandState {
  command: VmCommand | null;
  invalid: string[] | null;
}

export function commandFromSnapshot(raw: unknown): CommandState {
  if (raw === null || raw === undefined) return { command: null, invalid: null };
  const parsed = parseVmCommand(raw);
  return parsed.ok
    ? { command: parsed.value, invalid: null }
    : { command: null, invalid: parsed.errors };
}

export function watchCommand(
  db: Database,
  vmId: string,
  commandId: string,
  onData: (state: CommandState) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return onValue(
    ref(db, paths.command(vmId, commandId)),
    (snapshot) => onData(commandFromSnapshot(snapshot.val())),
    (error) => onError(describeDataError(error)),
  );
}

export interface CommandSummary {
  commandId: string;
  command: VmCommand;
}

/** The newest commands of a VM (push ids sort by time), newest first. */
export function watchRecentCommands(
  db: Database,
  vmId: string,
  limit: number,
  onData: (commands: CommandSummary[]) => void,
  onError: (message: string) => void,
): Unsubscribe {
  return onValue(
    query(ref(db, paths.vmCommands(vmId)), orderByKey(), limitToLast(limit)),
    (snapshot) => {
      const list: CommandSummary[] = [];
      snapshot.forEach((child) => {
        const parsed = parseVmCommand(child.val());
        if (parsed.ok && child.key !== null)
          list.push({ commandId: child.key, command: parsed.value });
      });
      onData(list.reverse());
    },
    (error) => onError(describeDataError(error)),
  );
}
