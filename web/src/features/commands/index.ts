/** VM commands at `vmPool/commands/{vmId}/{commandId}`: queue, follow the agent's output. */
export { CommandConsole, type QuickAction } from './components/CommandConsole';
