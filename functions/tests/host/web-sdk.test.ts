import { beforeAll, describe, expect, it } from 'vitest';
import { ref, set, type Database } from 'firebase/database';
import { agentAuthUid, paths } from '@vmpool/core';
import {
  addCompetition,
  agentReport,
  readResult,
  request,
  seedVm,
  writeRequest,
} from '../support/fixtures';
import { waitFor } from '../support/wait';
import { clientRequest, useWebHost } from '../support/web-host';

let vm2InstanceId = '';
// The real security rules: producers and the agent write as they would in production.
const env = useWebHost(
  async (admin, compute) => {
    for (const competitionId of ['meet-1', 'meet-2', 'meet-3']) {
      await addCompetition(admin.db, competitionId, 'producer-1');
    }
    await seedVm(admin.db, compute, 'vm-001', 'available', Date.now());
    const vm2 = await seedVm(admin.db, compute, 'vm-002', 'stopped', Date.now());
    vm2InstanceId = vm2.instanceId;
    // Written before the host starts: it must still be processed.
    await writeRequest(
      admin.db,
      'early',
      request('assign', { competitionId: 'meet-3' }, 'producer-1'),
    );
  },
  // No trigger may fail along the way.
  { failOnErrorLogs: true },
);
const { finalResult } = env;
let web: Database;
let agentDb: Database;
let admin: typeof env.admin;

beforeAll(() => {
  admin = env.admin;
  web = env.as('producer-1', { producer: true });
  // The agent's token names its instance, as agentToken mints it.
  const agentUid = agentAuthUid(vm2InstanceId);
  agentDb = env.as(agentUid, { vmId: 'vm-002', instanceId: vm2InstanceId });
});

describe('local functions host, requests written with the web SDK', () => {
  it('processes a request written before it started', async () => {
    expect(await finalResult('early')).toMatchObject({ state: 'succeeded', vmId: 'vm-001' });
  });

  it('a cold assign is handed over when the agent (web SDK) reports ready', async () => {
    const requestId = await clientRequest(web, 'producer-1', {
      action: 'assign',
      competitionId: 'meet-1',
    });
    await waitFor(async () => {
      const result = await readResult(admin.db, requestId);
      return result?.step === 'Wait for agent' ? result : undefined;
    }, 'the cold assign to wait for the agent');

    await set(
      ref(agentDb, paths.vmAgent('vm-002')),
      agentReport(Date.now(), { publicIp: '203.0.113.9' }),
    );
    const result = await finalResult(requestId);
    expect(result).toMatchObject({ state: 'succeeded', vmId: 'vm-002' });
    const config = (await admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
    expect(config.vmId).toBe('vm-002');
  });

  it('a release completes when the agent finishes its commands', async () => {
    const requestId = await clientRequest(web, 'producer-1', {
      action: 'release',
      competitionId: 'meet-1',
    });
    // The agent side: finish each command the control plane queues.
    const answered = new Set<string>();
    const result = await waitFor(async () => {
      const commands = ((await admin.db.ref(paths.vmCommands('vm-002')).get()).val() ??
        {}) as Record<string, { status?: string }>;
      for (const [commandId, command] of Object.entries(commands)) {
        if (command.status === undefined && !answered.has(commandId)) {
          answered.add(commandId);
          await set(ref(agentDb, `${paths.command('vm-002', commandId)}/status`), 'succeeded');
        }
      }
      const current = await readResult(admin.db, requestId);
      return current?.state === 'succeeded' ? current : undefined;
    }, 'the release');
    expect(result.message).toContain('back in the pool');
    expect(answered.size).toBe(2);
    const config = (await admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
    expect(config.vmId).toBeUndefined();
  });

  it('a producer asking for another show is refused by the rules before any function runs', async () => {
    // The control plane's own check of the same case is in bad-requests.test.ts.
    await addCompetition(admin.db, 'meet-9');
    await expect(
      clientRequest(web, 'producer-1', { action: 'assign', competitionId: 'meet-9' }),
    ).rejects.toThrow(/permission/i);
  });
});
