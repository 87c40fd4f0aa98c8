// What the show state tests (issue 12) share: a VM whose agent exports (its OBS stand-in keeps
// its files in the VM's obs-config), a spare VM with a show server and agent of its own to
// import into, and `import_state` run as the control plane queues it.
import { join } from 'node:path';
import type { CommandArgs } from '@vmpool/core';
import { startShowServer, type ShowServer } from '@vmpool/local/show-server';
import {
  killAgent,
  seedVm,
  spawnAgent,
  startRegisteredAgent,
  startStack,
  waitForValue,
  type AgentProcess,
  type TestStack,
} from './stack';

export interface StateExportVms {
  stack: TestStack;
  /** The exporting VM's agent. */
  agent: AgentProcess;
  /** The spare's show server (with its OBS stand-in) and agent. */
  spareShow: ShowServer;
  spare: AgentProcess;
  stop(): Promise<void>;
}

export async function startStateExportVms(options: {
  vm: string;
  spare: string;
  agentFlags: string[];
  spareFlags?: string[];
}): Promise<StateExportVms> {
  const stack = await startStack({ obsConfigOf: options.vm });
  const started: { agent?: AgentProcess; spareShow?: ShowServer; spare?: AgentProcess } = {};
  const stop = async (): Promise<void> => {
    if (started.agent) await killAgent(started.agent);
    if (started.spare) await killAgent(started.spare);
    await started.spareShow?.stop();
    await stack.stop();
  };
  try {
    started.agent = await startRegisteredAgent(stack, options.vm, options.agentFlags);
    // The spare: a VM of its own (show server and OBS stand-in on its own obs-config).
    started.spareShow = await startShowServer({
      port: 0,
      obsRestartMs: 500,
      obsConfigDir: join(stack.tmp, 'vms', options.spare, 'obs-config'),
    });
    await seedVm(stack.admin, options.spare);
    started.spare = spawnAgent(
      { ...stack, show: started.spareShow },
      options.spare,
      options.spareFlags ?? [],
    );
    await waitForValue<{ online?: boolean }>(
      stack.admin,
      `vmPool/vms/${options.spare}/agent`,
      (report) => report?.online === true,
      60_000,
      started.spare,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    stack,
    agent: started.agent,
    spareShow: started.spareShow,
    spare: started.spare,
    stop,
  };
}

export interface CommandOutcome {
  status?: string;
  reason?: string;
  output?: { stdout: string; stderr: string };
}

const FINISHED = ['succeeded', 'failed', 'timed_out', 'rejected', 'expired'];

/** Queues `import_state` for `vmId` as the control plane does and waits until it finished. */
export async function runImportState(
  stack: TestStack,
  vmId: string,
  args: CommandArgs['import_state'],
  agent: AgentProcess,
  timeoutMs = 30_000,
): Promise<CommandOutcome> {
  const command = stack.admin.ref(`vmPool/commands/${vmId}`).push();
  await command.set({
    op: 'import_state',
    args,
    requestedBy: 'system',
    requestedAt: Date.now(),
  });
  return waitForValue<CommandOutcome>(
    stack.admin,
    `vmPool/commands/${vmId}/${command.key ?? ''}`,
    (node) => FINISHED.includes(node?.status ?? ''),
    timeoutMs,
    agent,
  );
}
