import { describe, expect, it } from 'vitest';
import { paths } from '@vmpool/core';
import { reconcile } from '../src/usecases/reconcile/reconcile';
import { runQueuedCommands } from './support/agent-commands';
import { addCompetition, readResult, readVm, request, submit } from './support/fixtures';
import { givenAssignedPool } from './support/pool';
import { useTestDatabase } from './support/rtdb';

const env = useTestDatabase();

const assignedPool = () =>
  givenAssignedPool(env.admin.db, {
    config: { minWarmVMs: 0, autoStopAfterHours: 0 },
    producer: 'producer-1',
  });

describe('release', () => {
  it('archives, resets and clears through the agent in order, then returns the VM', async () => {
    const { deps } = await assignedPool();
    await submit(
      deps,
      env.admin.db,
      'r1',
      request(
        'release',
        { competitionId: 'meet-1', options: { archiveRecordings: true } },
        'producer-1',
      ),
    );
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'releasing' });
    expect(await readResult(env.admin.db, 'r1')).toMatchObject({
      state: 'running',
      step: 'Clean up VM',
    });

    const ran = await runQueuedCommands(env.admin.db, deps, 'vm-001');
    expect(ran).toEqual(['archive_recordings', 'reset_obs_config', 'clear_recordings']);
    expect(await readResult(env.admin.db, 'r1')).toMatchObject({ state: 'succeeded', progress: 1 });
    const vm = await readVm(env.admin.db, 'vm-001');
    expect(vm).toMatchObject({ status: 'available' });
    expect(vm?.assignedTo).toBeUndefined();
    const config = (await env.admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
    expect(config.vmId).toBeUndefined();
    expect(config.vmAddress).toBeUndefined();
    expect(config.eventName).toBe('Meet meet-1');
    const audit = (await env.admin.db.ref(paths.audit()).get()).val() as Record<
      string,
      { action: string }
    >;
    const actions = Object.values(audit).map((entry) => entry.action);
    expect(actions).toEqual(
      expect.arrayContaining(['request.assign', 'request.release', 'command.archive_recordings']),
    );
  });

  it('stops the VM when asked', async () => {
    const { compute, deps, vm } = await assignedPool();
    await submit(
      deps,
      env.admin.db,
      'r1',
      request('release', { competitionId: 'meet-1', options: { stopVM: true } }, 'producer-1'),
    );
    await runQueuedCommands(env.admin.db, deps, 'vm-001');
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'stopping' });
    expect(compute.get(vm.instanceId)?.state).toBe('stopped');
    await reconcile(deps);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'stopped' });
  });

  it('keeps the recordings and flags the VM when the archive fails', async () => {
    const { deps } = await assignedPool();
    await submit(
      deps,
      env.admin.db,
      'r1',
      request(
        'release',
        { competitionId: 'meet-1', options: { archiveRecordings: true } },
        'producer-1',
      ),
    );
    const ran = await runQueuedCommands(env.admin.db, deps, 'vm-001', (op) =>
      op === 'archive_recordings' ? 'failed' : 'succeeded',
    );
    // An idempotent op runs again under a new command id, twice, before the release gives up.
    expect(ran).toEqual(['archive_recordings', 'archive_recordings', 'archive_recordings']);
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'error' });
    const result = await readResult(env.admin.db, 'r1');
    expect(result?.state).toBe('succeeded');
    expect(result?.message).toContain('recordings kept');
    const config = (await env.admin.db.ref(paths.competitionConfig('meet-1')).get()).val();
    expect(config.vmId).toBeUndefined();
  });

  it('finishes at its deadline when the agent never answers', async () => {
    const { clock, deps } = await assignedPool();
    await submit(
      deps,
      env.admin.db,
      'r1',
      request('release', { competitionId: 'meet-1' }, 'producer-1'),
    );
    clock.advance(deps.settings.releaseTimeoutMs + 1);
    await reconcile(deps);
    expect(await readResult(env.admin.db, 'r1')).toMatchObject({ state: 'succeeded' });
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({
      status: 'error',
      errorCause: 'release_incomplete',
      statusReason: 'release cleanup failed: cleanup did not finish before the release deadline',
    });
  });

  it('uses SSM when the agent is offline', async () => {
    const { clock, deps } = await assignedPool();
    await env.admin.db.ref(paths.vmAgent('vm-001')).update({ online: false });
    const sent: string[][][] = [];
    deps.remoteExec = {
      send: async (_region, _instanceId, steps) => {
        sent.push(steps);
        return { invocationId: 'inv-1' };
      },
      result: async () => ({ state: 'succeeded', exitCode: 0, stdout: '', stderr: '' }),
    };
    await submit(
      deps,
      env.admin.db,
      'r1',
      request('release', { competitionId: 'meet-1' }, 'producer-1'),
    );
    expect(sent).toHaveLength(1);
    clock.advance(1000);
    await reconcile(deps);
    expect(await readResult(env.admin.db, 'r1')).toMatchObject({ state: 'succeeded' });
    expect(await readVm(env.admin.db, 'vm-001')).toMatchObject({ status: 'available' });
  });

  it('refuses a release of a competition without a VM (NOT_ASSIGNED)', async () => {
    const { deps } = await assignedPool();
    await addCompetition(env.admin.db, 'meet-2', 'producer-1');
    await submit(
      deps,
      env.admin.db,
      'r1',
      request('release', { competitionId: 'meet-2' }, 'producer-1'),
    );
    expect((await readResult(env.admin.db, 'r1'))?.error?.code).toBe('NOT_ASSIGNED');
  });
});
