import { agentRunCases, commandCreateCases, commandReadCases } from './commands.cases';
import { defineMatrix } from './matrix';

defineMatrix('vmPool/commands: reading', commandReadCases);
defineMatrix('vmPool/commands: admins queue, create-only', commandCreateCases);
defineMatrix('vmPool/commands: the agent claims once and reports its run', agentRunCases);
