// The RTDB paths the agent touches, from core's single definition (docs/contract.md).
import { paths } from '@vmpool/core';

export const agentPath = (vmId: string): string => paths.vmAgent(vmId);
export const pulsePath = (vmId: string): string => paths.vmPulse(vmId);
export const commandsPath = (vmId: string): string => paths.vmCommands(vmId);
export const commandPath = (vmId: string, commandId: string): string =>
  paths.command(vmId, commandId);
