import type { VmCommand } from '@vmpool/core';
import { useEffect, useState } from 'react';
import { useSession } from '../../../lib/session';
import { watchCommand } from '../api/commands';

export interface CommandView {
  /** null until the command row is readable (or when it does not exist). */
  command: VmCommand | null;
  isLoading: boolean;
  error: string | null;
}

const IDLE: CommandView = { command: null, isLoading: false, error: null };

/** Follows `vmPool/commands/{vmId}/{commandId}` live: status, output, exit code. */
export function useCommand(vmId: string | null, commandId: string | null): CommandView {
  const { db } = useSession();
  const key = vmId !== null && commandId !== null ? `${vmId}/${commandId}` : null;
  const [state, setState] = useState<{ key: string | null; view: CommandView }>({
    key: null,
    view: IDLE,
  });

  useEffect(() => {
    if (vmId === null || commandId === null) return;
    const current = `${vmId}/${commandId}`;
    return watchCommand(
      db,
      vmId,
      commandId,
      ({ command, invalid }) =>
        setState({
          key: current,
          view: {
            command,
            isLoading: false,
            error: invalid === null ? null : `Unreadable command row: ${invalid.join('; ')}`,
          },
        }),
      (message) =>
        setState({ key: current, view: { command: null, isLoading: false, error: message } }),
    );
  }, [db, vmId, commandId]);

  if (key === null) return IDLE;
  return state.key === key ? state.view : { command: null, isLoading: true, error: null };
}
